/**
 * `POST /v1/messages`, Anthropic's Messages API (what Claude-style clients and agent SDKs speak): system, turns of
 * content blocks (text, `tool_use`, `tool_result`; earlier `thinking` is not sent again), tools and `tool_choice`,
 * `thinking.budget_tokens` as mull's thinking budget, stop sequences; the answer as content blocks (`thinking`,
 * `text`, `tool_use`) with Anthropic's stop reasons and usage, whole or as its event stream. A strategy is chosen as
 * on the other routes; errors are Anthropic-shaped (`anthropic-errors.ts`). The rest is `handle-run.ts`.
 */
import { z } from "zod";
import type { CallOptions, ChatMessage } from "../core/call-options.js";
import type { Completion, GenerateResult } from "../core/generate-result.js";
import type { LanguageModel } from "../core/language-model.js";
import type { StreamPart } from "../core/stream-part.js";
import type { ToolCall, ToolChoice, ToolDefinition } from "../core/tools.js";
import type { Usage } from "../core/usage.js";
import { createThinkingSplitter, thinkingApart } from "../internal/think-tags.js";
import { toolInput } from "../internal/tool-input.js";
import { anthropicErrorBody } from "./anthropic-errors.js";
import { invalidRequest, toOpenAIError } from "./openai-error.js";
import type { Protocol, ResponseIdentity, ServerSentEvent, StreamEncoder } from "./protocol.js";
import type { FieldRule } from "./request-fields.js";
import { mullRequestSchema } from "./request-schemas.js";
import { mullBody } from "./response-bodies.js";

const textBlock = z.looseObject({ type: z.literal("text"), text: z.string() });
const toolUseBlock = z.looseObject({ type: z.literal("tool_use"), id: z.string().min(1), name: z.string().min(1), input: z.unknown() });
const toolResultBlock = z.looseObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))]).optional(),
  is_error: z.boolean().optional(),
});
// Earlier thinking comes back in history; like chat templates, mull does not send it again.
const thinkingBlock = z.looseObject({ type: z.enum(["thinking", "redacted_thinking"]) });
const otherBlock = z.looseObject({ type: z.string() });
const block = z.union([textBlock, toolUseBlock, toolResultBlock, thinkingBlock, otherBlock]);

export const messagesRequestSchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().min(1),
  messages: z.array(z.looseObject({ role: z.enum(["user", "assistant"]), content: z.union([z.string(), z.array(block)]) })).min(1),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  stop_sequences: z.array(z.string().min(1)).max(16).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().gt(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  stream: z.boolean().optional(),
  tools: z
    .array(
      z.looseObject({
        name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1 to 64 letters, digits, '_' or '-'"),
        description: z.string().optional(),
        input_schema: z.record(z.string(), z.unknown()),
        type: z.string().optional(),
      }),
    )
    .optional(),
  tool_choice: z
    .looseObject({ type: z.enum(["auto", "any", "tool", "none"]), name: z.string().min(1).optional(), disable_parallel_tool_use: z.boolean().optional() })
    .optional(),
  thinking: z
    .union([
      z.looseObject({ type: z.literal("enabled"), budget_tokens: z.number().int().min(1) }),
      z.looseObject({ type: z.enum(["disabled", "adaptive", "between_tools"]) }),
    ])
    .optional(),
  output_config: z
    .looseObject({
      effort: z.enum(["low", "medium", "high", "xhigh", "max"]).nullish(),
      format: z.looseObject({ type: z.literal("json_schema"), schema: z.record(z.string(), z.unknown()) }).nullish(),
    })
    .optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
  mull: mullRequestSchema.optional(),
});

export type MessagesRequest = z.output<typeof messagesRequestSchema>;

/** Every field of a Messages request, and what mull does with it (see `request-fields.ts`). */
export const messagesFields: Record<string, FieldRule> = {
  model: { use: "run", note: "a base model, `strategy/model`, a strategy or a route" },
  messages: { use: "run", note: "turns of text, tool_use and tool_result blocks (thinking blocks are not sent again)" },
  system: { use: "run", note: "a system message first" },
  stream: { use: "run", note: "Anthropic's event stream" },
  mull: { use: "run", note: "mull's own object" },
  max_tokens: { use: "call", note: "the answer's cap (`maxTokens`)" },
  stop_sequences: { use: "call", note: "stop sequences" },
  temperature: { use: "call", note: "honoured" },
  top_p: { use: "call", note: "honoured" },
  top_k: { use: "call", note: "honoured (`topK`)" },
  tools: { use: "call", note: "client tools as function tools (upstreams and the chat strategies)" },
  tool_choice: { use: "call", note: "auto, any (required), tool (that one), none; disable_parallel_tool_use" },
  thinking: { use: "call", note: "`enabled`: `budget_tokens` as mull's thinking budget; `adaptive`, `between_tools`: the model's own" },
  output_config: { use: "call", note: "`effort` as reasoning effort (xhigh and max as high); `format` json_schema as structured output" },
  cache_control: { use: "accepted", note: "prompt caching hint (prefix reuse is automatic)" },
  diagnostics: { use: "accepted", note: "accepted" },
  inference_geo: { use: "accepted", note: "where to run (one place here)" },
  speed: { use: "accepted", note: "a speed tier" },
  user_profile_id: { use: "accepted", note: "an end-user id" },
  workspace_id: { use: "accepted", note: "a workspace" },
  metadata: { use: "accepted", note: "`user_id`, for the upstream" },
  service_tier: { use: "accepted", note: "a processing tier" },
  container: { use: "refused", note: "containers (code execution) are not supported; mull's sandbox runs through its strategies" },
  mcp_servers: { use: "refused", note: "remote MCP servers are not supported; mull serves MCP itself (`mull mcp`)" },
  context_management: { use: "refused", note: "context_management is not supported: mull does not compact conversations" },
};

/** A block's text (a tool result's content may be a string or text blocks). */
const blocksText = (content: string | { type: string; text?: string | undefined }[] | undefined) =>
  typeof content === "string" ? content : (content ?? []).map((part) => part.text ?? "").join("");

/** Turns of content blocks as chat messages: tool_use joins its assistant message as a tool call, tool_result becomes a tool message. */
function chatMessages(request: MessagesRequest): ChatMessage[] {
  const system = typeof request.system === "string" ? request.system : (request.system ?? []).map((part) => part.text).join("\n");
  const messages: ChatMessage[] = system ? [{ role: "system", content: system }] : [];
  for (const turn of request.messages) messages.push(...turnMessages(turn));
  return messages;
}

function turnMessages(turn: MessagesRequest["messages"][number]): ChatMessage[] {
  if (typeof turn.content === "string") return [{ role: turn.role, content: turn.content }];
  const messages: ChatMessage[] = [];
  const text: string[] = [];
  const calls: ToolCall[] = [];
  for (const part of turn.content) {
    if (part.type === "text") text.push((part as z.output<typeof textBlock>).text);
    else if (part.type === "tool_use") {
      const use = part as z.output<typeof toolUseBlock>;
      calls.push({ id: use.id, type: "function", function: { name: use.name, arguments: JSON.stringify(use.input ?? {}) } });
    } else if (part.type === "tool_result") {
      const result = part as z.output<typeof toolResultBlock>;
      const content = blocksText(result.content);
      messages.push({ role: "tool", tool_call_id: result.tool_use_id, content: result.is_error ? `Error: ${content}` : content });
    }
  }
  if (text.length > 0 || calls.length > 0)
    messages.push({ role: turn.role, content: text.length > 0 ? text.join("") : null, ...(calls.length > 0 ? { tool_calls: calls } : {}) });
  return messages;
}

/** `output_config`: effort (Anthropic's two levels above high are OpenAI's high) and a JSON schema format. */
function outputConfig(request: MessagesRequest): Partial<CallOptions> {
  const effort = request.output_config?.effort;
  const format = request.output_config?.format;
  return {
    ...(effort ? { reasoningEffort: effort === "xhigh" || effort === "max" ? "high" : effort } : {}),
    ...(format ? { responseFormat: { type: "json_schema", json_schema: { name: "output", schema: format.schema } } } : {}),
  };
}

function toolChoiceOf(choice: MessagesRequest["tool_choice"]): ToolChoice | undefined {
  if (!choice) return undefined;
  if (choice.type === "tool") return { type: "function", function: { name: choice.name ?? "" } };
  return choice.type === "any" ? "required" : choice.type;
}

/** Anthropic's stop reason for a completion, and the stop sequence where one ended it. */
function stopOf(completion: Pick<Completion, "finishReason" | "stoppedBy" | "stopSequence"> | undefined, calledTools: boolean) {
  if (calledTools || completion?.finishReason === "tool-calls") return { stop_reason: "tool_use", stop_sequence: null };
  if (completion?.finishReason === "length") return { stop_reason: "max_tokens", stop_sequence: null };
  if (completion?.stoppedBy === "stop-sequence" && completion.stopSequence !== undefined)
    return { stop_reason: "stop_sequence", stop_sequence: completion.stopSequence };
  return { stop_reason: "end_turn", stop_sequence: null };
}

const usageOf = (usage: Usage, thinkingTokens: number | undefined) => ({
  input_tokens: usage.promptTokens,
  output_tokens: usage.completionTokens,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: usage.cachedPromptTokens ?? 0,
  ...(thinkingTokens !== undefined ? { output_tokens_details: { thinking_tokens: thinkingTokens } } : {}),
});

function contentBlocks(completion: Completion | undefined): Record<string, unknown>[] {
  if (!completion) return [];
  const { reasoning, text } = thinkingApart(completion);
  return [
    ...(reasoning ? [{ type: "thinking", thinking: reasoning, signature: "" }] : []),
    ...(text !== "" ? [{ type: "text", text }] : []),
    ...(completion.toolCalls ?? []).map((call) => ({ type: "tool_use", id: call.id, name: call.function.name, input: toolInput(call) })),
  ];
}

export const messagesProtocol: Protocol<MessagesRequest> = {
  schema: messagesRequestSchema,
  fields: messagesFields,
  target: (request) => ({ model: request.model, ...(request.temperature !== undefined ? { temperature: request.temperature } : {}), mull: request.mull }),
  streamed: (request) => request.stream === true,
  refuse(request, model) {
    const other = request.tools?.find((tool) => tool.type !== undefined && tool.type !== "custom");
    if (other) return invalidRequest(`only client tools are supported, not the server tool ${JSON.stringify(other.type)}`, "tools");
    if ((request.tools?.length ?? 0) > 0 && !model.supportsTools)
      return invalidRequest(`the model ${JSON.stringify(model.modelId)} cannot call tools; send the request without tools, or to an upstream model`, "tools");
    for (const [index, turn] of request.messages.entries()) {
      const parts = Array.isArray(turn.content) ? turn.content : [];
      const unknown = parts.find((part) => !["text", "tool_use", "tool_result", "thinking", "redacted_thinking"].includes(part.type));
      if (unknown) return invalidRequest(`content blocks of type ${JSON.stringify(unknown.type)} are not supported`, `messages.${index}.content`);
    }
    if (request.tool_choice?.type === "tool" && !request.tool_choice.name) return invalidRequest("tool_choice of type tool needs a name", "tool_choice.name");
    if (request.output_config?.format && !model.supportsResponseFormat)
      return invalidRequest(`the model ${JSON.stringify(model.modelId)} cannot constrain output to a JSON schema`, "output_config.format");
    return undefined;
  },
  toCall(request, abortSignal): CallOptions {
    const tools: ToolDefinition[] | undefined = request.tools?.map((tool) => ({
      type: "function",
      function: { name: tool.name, ...(tool.description ? { description: tool.description } : {}), parameters: tool.input_schema },
    }));
    const toolChoice = toolChoiceOf(request.tool_choice);
    return {
      prompt: chatMessages(request),
      maxTokens: request.max_tokens,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.top_p !== undefined ? { topP: request.top_p } : {}),
      ...(request.top_k !== undefined ? { topK: request.top_k } : {}),
      ...(request.stop_sequences?.length ? { stop: request.stop_sequences } : {}),
      ...(tools && tools.length > 0 ? { tools } : {}),
      ...(toolChoice ? { toolChoice } : {}),
      ...(request.tool_choice?.disable_parallel_tool_use ? { parallelToolCalls: false } : {}),
      ...(request.thinking?.type === "enabled" ? { maxReasoningTokens: request.thinking.budget_tokens } : {}),
      ...outputConfig(request),
      abortSignal,
    };
  },
  responseId: () => `msg_${crypto.randomUUID().replaceAll("-", "")}`,
  toJson(result: GenerateResult, identity: ResponseIdentity) {
    const completion = result.completions[0];
    const mull = mullBody(result.metadata?.mull, result.usage);
    return {
      id: identity.id,
      type: "message",
      role: "assistant",
      model: identity.model,
      content: contentBlocks(completion),
      ...stopOf(completion, (completion?.toolCalls?.length ?? 0) > 0),
      usage: usageOf(result.usage, completion?.reasoningTokens),
      ...(mull ? { mull } : {}),
      ...(result.warnings.length > 0 ? { warnings: result.warnings } : {}),
    };
  },
  encoder: (identity) => messageEvents(identity),
};

/**
 * Anthropic's event stream: `message_start`, each content block as it happens (`content_block_start`, its deltas,
 * `content_block_stop`: thinking, then text, then each tool use whole), `message_delta` with the stop reason and
 * usage, `message_stop`. Only the first choice is streamed (Messages has no `n`).
 */
function messageEvents(identity: ResponseIdentity): StreamEncoder {
  const event = (type: string, data: Record<string, unknown>): ServerSentEvent => ({ event: type, data: JSON.stringify({ type, ...data }) });
  let index = -1;
  let open: "thinking" | "text" | undefined;
  let calledTools = false;
  let ended: Extract<StreamPart, { type: "completion-end" }> | undefined;
  // A model that thinks in its text (the embedded chat model) has its thinking split off as it streams.
  const splitter = createThinkingSplitter();
  const delta = (piece: { kind: "reasoning" | "text"; delta: string }): ServerSentEvent[] =>
    piece.kind === "reasoning"
      ? [...openBlock("thinking"), event("content_block_delta", { index, delta: { type: "thinking_delta", thinking: piece.delta } })]
      : [...openBlock("text"), event("content_block_delta", { index, delta: { type: "text_delta", text: piece.delta } })];
  const close = (): ServerSentEvent[] => {
    if (!open) return [];
    open = undefined;
    return [event("content_block_stop", { index })];
  };
  const openBlock = (kind: "thinking" | "text"): ServerSentEvent[] => {
    if (open === kind) return [];
    const events = close();
    index++;
    open = kind;
    const block = kind === "text" ? { type: "text", text: "" } : { type: "thinking", thinking: "", signature: "" };
    events.push(event("content_block_start", { index, content_block: block }));
    return events;
  };
  return {
    start: () => [
      event("message_start", {
        message: {
          id: identity.id,
          type: "message",
          role: "assistant",
          model: identity.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, output_tokens: 0 },
        },
      }),
    ],
    part(part) {
      if ("index" in part && part.index !== 0) return [];
      switch (part.type) {
        case "reasoning-delta":
        case "text-delta":
          return splitter.read(part).flatMap(delta);
        case "tool-call": {
          calledTools = true;
          const events = [...splitter.flush().flatMap(delta), ...close()];
          index++;
          const use = { type: "tool_use", id: part.toolCall.id, name: part.toolCall.function.name, input: {} };
          events.push(
            event("content_block_start", { index, content_block: use }),
            event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: JSON.stringify(toolInput(part.toolCall)) } }),
            event("content_block_stop", { index }),
          );
          return events;
        }
        case "completion-end":
          ended = part;
          return [];
        case "end": {
          const mull = mullBody(part.metadata?.mull, part.usage);
          return [
            ...splitter.flush().flatMap(delta),
            ...close(),
            event("message_delta", { delta: stopOf(ended, calledTools), usage: usageOf(part.usage, ended?.reasoningTokens), ...(mull ? { mull } : {}) }),
            event("message_stop", {}),
          ];
        }
        default:
          return [];
      }
    },
    error: (error) => {
      const { status, body } = toOpenAIError(error);
      return [event("error", anthropicErrorBody(body, status))];
    },
    end: () => [],
  };
}

/** Token counting for `/v1/messages/count_tokens`: the model's own count of the rendered prompt (one token generated to read it). */
export async function countTokens(model: LanguageModel, request: MessagesRequest, abortSignal: AbortSignal): Promise<number> {
  const { maxReasoningTokens: _budget, ...call } = messagesProtocol.toCall(request, abortSignal);
  const result = await model.doGenerate({ ...call, maxTokens: 1, temperature: 0 });
  return result.usage.promptTokens;
}
