/** Tools and structured output as OpenAI's chat API defines them, passed through to backends that take them. */

/** A function the model may call. */
export type ToolDefinition = {
  type: "function";
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null };
};

/** Whether and which tool the model must call. */
export type ToolChoice = "none" | "auto" | "required" | { type: "function"; function: { name: string } };

/** One call the model made; `arguments` is the JSON text the model wrote. */
export type ToolCall = { id: string; type: "function"; function: { name: string; arguments: string } };

/** The shape the output must take. */
export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; json_schema: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean | null } };

/**
 * How candidates that call tools are voted on: by the tool's name alone, or by name and arguments (the
 * arguments' JSON canonicalised: keys sorted, whitespace dropped).
 */
export type ToolVote = "name" | "arguments";
