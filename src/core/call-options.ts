import type { ResponseFormat, ToolChoice, ToolDefinition } from "./tools.js";

/** One part of a message's content, as OpenAI's chat API writes it (`{ type: "text", text }`, `{ type: "image_url", ... }`). */
export type ChatContentPart = { type: string; text?: string; [extra: string]: unknown };

/** One chat message. Extra fields (tool calls, names) are kept and passed through to backends that take them. */
export type ChatMessage = {
  role: "system" | "user" | "assistant" | "tool" | "developer";
  /** Text, or content parts (text, images, audio) for backends that take them. */
  content: string | null | ChatContentPart[];
  [extra: string]: unknown;
};

/** What a caller asks a model for. */
export type CallOptions = {
  /** Raw text to continue, or chat messages. */
  prompt: string | ChatMessage[];
  /** Number of completions. Defaults to `1`. */
  n?: number;
  /** Sampling temperature; `0` is greedy. Defaults to the backend's default (`1` for the embedded backend). */
  temperature?: number;
  /** Nucleus sampling. Defaults to `1` (off). */
  topP?: number;
  /** Most tokens to generate per completion. Defaults to the backend's default (`256` embedded). */
  maxTokens?: number;
  /** Stop sequences (not included in the output). Defaults to none. */
  stop?: string[];
  /** Seed for reproducible sampling where the backend supports it. Defaults to none (random). */
  seed?: number;
  /** Return per-token log-probabilities. Defaults to `false`. */
  logprobs?: boolean;
  /** With `logprobs`, also the k most likely tokens at each position (0 to 20). Defaults to `0`. */
  topLogprobs?: number;
  /**
   * A thinking budget: most tokens a reasoning model may spend inside `<think>...</think>` before its thinking
   * is closed for it and it must answer (the answer then gets `maxTokens`). The thinking comes back in
   * `Completion.reasoning`. Needs a raw-text prompt, or a backend that continues the assistant's message.
   * Defaults to none (no budget).
   */
  maxReasoningTokens?: number;
  /** Cancels the call; partial completions come back with `finishReason: "abort"` where the backend can. */
  abortSignal?: AbortSignal;
  /** Functions the model may call (chat prompts only). Defaults to none. */
  tools?: ToolDefinition[];
  /** Whether and which tool the model must call. Defaults to the backend's (`auto` where tools are given). */
  toolChoice?: ToolChoice;
  /** Whether the model may call several tools in one turn. Defaults to the backend's. */
  parallelToolCalls?: boolean;
  /** The shape the output must take (JSON, or JSON matching a schema). Defaults to free text. */
  responseFormat?: ResponseFormat;
  /** Backend-specific knobs, keyed by provider id (e.g. `{ "openai-compatible": { user: "x" } }`). */
  backendOptions?: Record<string, Record<string, unknown>>;
};
