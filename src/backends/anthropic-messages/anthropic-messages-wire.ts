/**
 * Anthropic's Messages API as mull writes and reads it: a call as a request body (system apart, tool calls as
 * `tool_use` blocks, tool results as `tool_result` blocks, a thinking budget as `thinking.budget_tokens`), and the
 * answer's content blocks and stop reason as a completion, whole or from the event stream.
 */
import { z } from "zod";
import type { CallOptions, ChatMessage } from "../../core/call-options.js";
import { InvalidArgumentError } from "../../core/errors/invalid-argument-error.js";
import type { Completion, FinishReason } from "../../core/generate-result.js";
import type { ToolCall } from "../../core/tools.js";
import { contentText } from "../../internal/prompt-text.js";
import { toolInput } from "../../internal/tool-input.js";

/** The key's header and the API version every request carries. */
export const anthropicVersion = "2023-06-01";

type Block = Record<string, unknown>;

/** Chat messages as Messages turns: system apart, tool calls as tool_use blocks, tool results as a user turn's tool_result blocks. */
function turns(messages: ChatMessage[]): { system: string | undefined; messages: { role: "user" | "assistant"; content: Block[] }[] } {
  const system = messages.filter((message) => message.role === "system" || message.role === "developer").map((message) => contentText(message.content));
  const out: { role: "user" | "assistant"; content: Block[] }[] = [];
  const add = (role: "user" | "assistant", blocks: Block[]) => {
    const last = out.at(-1);
    // Anthropic's turns alternate: blocks of two messages of one role in a row join one turn.
    if (last?.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const message of messages) {
    if (message.role === "system" || message.role === "developer") continue;
    const text = contentText(message.content);
    if (message.role === "tool") {
      add("user", [{ type: "tool_result", tool_use_id: String(message.tool_call_id ?? ""), content: text }]);
      continue;
    }
    const calls = (message.tool_calls as ToolCall[] | undefined) ?? [];
    const blocks: Block[] = [
      ...(text !== "" ? [{ type: "text", text }] : []),
      ...calls.map((call) => ({ type: "tool_use", id: call.id, name: call.function.name, input: toolInput(call) })),
    ];
    if (blocks.length > 0) add(message.role === "assistant" ? "assistant" : "user", blocks);
  }
  return { system: system.length > 0 ? system.join("\n\n") : undefined, messages: out };
}

function toolChoice(choice: CallOptions["toolChoice"]): Block | undefined {
  if (choice === undefined) return undefined;
  if (typeof choice === "object") return { type: "tool", name: choice.function.name };
  return { type: choice === "required" ? "any" : choice };
}

/** The call's tools as Messages tools, and its tool choice (`disable_parallel_tool_use` where parallel calls are off). */
function toolFields(call: CallOptions): Block {
  const choice = toolChoice(call.toolChoice);
  return {
    ...(call.tools && call.tools.length > 0
      ? {
          tools: call.tools.map((tool) => ({
            name: tool.function.name,
            ...(tool.function.description ? { description: tool.function.description } : {}),
            input_schema: tool.function.parameters ?? { type: "object" },
          })),
        }
      : {}),
    ...(choice ? { tool_choice: { ...choice, ...(call.parallelToolCalls === false ? { disable_parallel_tool_use: true } : {}) } } : {}),
  };
}

/** The output format as a JSON schema, and the effort (Anthropic has no `minimal`: `low`). */
function outputConfig(call: CallOptions): Block {
  const format = call.responseFormat;
  const schema = format?.type === "json_schema" ? format.json_schema.schema : format?.type === "json_object" ? { type: "object" } : undefined;
  if (!schema && !call.reasoningEffort) return {};
  return {
    output_config: {
      ...(schema ? { format: { type: "json_schema", schema } } : {}),
      ...(call.reasoningEffort ? { effort: call.reasoningEffort === "minimal" ? "low" : call.reasoningEffort } : {}),
    },
  };
}

/** The call as a Messages request body (one completion: Messages has no `n`). */
export function messagesBody(options: { call: CallOptions; model: string; stream: boolean; defaultMaxTokens: number }): Block {
  const { call } = options;
  if (typeof call.prompt === "string") throw new InvalidArgumentError({ parameter: "prompt", message: "the Messages API takes chat messages, not raw text" });
  const { system, messages } = turns(call.prompt);
  return {
    model: options.model,
    max_tokens: call.maxTokens ?? options.defaultMaxTokens,
    messages,
    ...(system ? { system } : {}),
    // Anthropic's temperatures run from 0 to 1.
    ...(call.temperature !== undefined ? { temperature: Math.min(1, call.temperature) } : {}),
    ...(call.topP !== undefined ? { top_p: call.topP } : {}),
    ...(call.topK !== undefined ? { top_k: call.topK } : {}),
    ...(call.stop && call.stop.length > 0 ? { stop_sequences: call.stop } : {}),
    ...toolFields(call),
    ...(call.maxReasoningTokens !== undefined ? { thinking: { type: "enabled", budget_tokens: call.maxReasoningTokens } } : {}),
    ...outputConfig(call),
    ...(call.backendOptions?.["anthropic-messages"] ?? {}),
    ...(options.stream ? { stream: true } : {}),
  };
}

const contentBlock = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  thinking: z.string().optional(),
  id: z.string().optional(),
  name: z.string().optional(),
  input: z.unknown().optional(),
});
const usageSchema = z.looseObject({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
  output_tokens_details: z.looseObject({ thinking_tokens: z.number().nullish() }).nullish(),
});

export const messageSchema = z.looseObject({
  content: z.array(contentBlock),
  stop_reason: z.string().nullish(),
  stop_sequence: z.string().nullish(),
  usage: usageSchema.nullish(),
});

export const eventSchema = z.looseObject({
  type: z.string(),
  index: z.number().int().optional(),
  message: z.looseObject({ usage: usageSchema.nullish() }).optional(),
  content_block: contentBlock.optional(),
  delta: z
    .looseObject({
      type: z.string().optional(),
      text: z.string().optional(),
      thinking: z.string().optional(),
      partial_json: z.string().optional(),
      stop_reason: z.string().nullish(),
      stop_sequence: z.string().nullish(),
    })
    .optional(),
  usage: usageSchema.nullish(),
  error: z.looseObject({ type: z.string().optional(), message: z.string().optional() }).optional(),
});

/** Anthropic's stop reason as mull's finish reason, and what ended it. */
export function stopOf(
  reason: string | null | undefined,
  sequence: string | null | undefined,
): Pick<Completion, "finishReason" | "stoppedBy" | "stopSequence"> {
  const finishReason: FinishReason =
    reason === "max_tokens" ? "length" : reason === "tool_use" ? "tool-calls" : reason === "refusal" ? "content-filter" : reason ? "stop" : "other";
  if (reason === "stop_sequence" && sequence) return { finishReason, stoppedBy: "stop-sequence", stopSequence: sequence };
  if (reason === "end_turn") return { finishReason, stoppedBy: "end-of-text" };
  return { finishReason };
}

/** A tool_use block as a tool call. */
export const toolCallOf = (block: { id?: string | undefined; name?: string | undefined; input?: unknown }, index: number): ToolCall => ({
  id: block.id ?? `toolu_${index}`,
  type: "function",
  function: { name: block.name ?? "", arguments: JSON.stringify(block.input ?? {}) },
});

/** A whole answer as a completion. */
export function completionOf(message: z.output<typeof messageSchema>): Completion {
  const text = message.content.flatMap((block) => (block.type === "text" ? [block.text ?? ""] : [])).join("");
  const thinking = message.content.flatMap((block) => (block.type === "thinking" ? [block.thinking ?? ""] : [])).join("");
  const calls = message.content.filter((block) => block.type === "tool_use").map(toolCallOf);
  const thinkingTokens = message.usage?.output_tokens_details?.thinking_tokens;
  return {
    text,
    ...(thinking ? { reasoning: thinking } : {}),
    ...(calls.length > 0 ? { toolCalls: calls } : {}),
    ...stopOf(message.stop_reason, message.stop_sequence),
    completionTokens: message.usage?.output_tokens ?? 0,
    ...(thinkingTokens != null ? { reasoningTokens: thinkingTokens } : {}),
  };
}
