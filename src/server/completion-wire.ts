/**
 * What OpenAI's chat completions and legacy completions share on the wire: the request as call options, the
 * fields refused by name, the JSON body and the stream's chunks (`data:` events, then `[DONE]`). `chat-protocol.ts`
 * and `completions-protocol.ts` are this with their schema and kind.
 */
import type { ZodType } from "zod";
import type { CallOptions, ChatMessage } from "../core/call-options.js";
import type { GenerateResult } from "../core/generate-result.js";
import type { LanguageModel } from "../core/language-model.js";
import type { StreamPart } from "../core/stream-part.js";
import type { ResponseFormat, ToolChoice, ToolDefinition } from "../core/tools.js";
import { invalidRequest, toOpenAIError } from "./openai-error.js";
import type { Protocol, ResponseIdentity, ServerSentEvent, StreamEncoder } from "./protocol.js";
import { chatFields, completionFields } from "./request-fields.js";
import type { ChatRequest, CompletionRequest } from "./request-schemas.js";
import { type Kind, logprobsBody, mullBody, reasoningTokensOf, stopReasonBody, usageBody, wireFinishReason } from "./response-bodies.js";

/** Chat completions (`kind: "chat"`) or legacy completions, as a protocol. */
export function completionProtocol<Request extends CompletionRequest | ChatRequest>(kind: Kind, schema: ZodType<Request>): Protocol<Request> {
  return {
    schema,
    fields: kind === "chat" ? chatFields : completionFields,
    target: (request) => ({ model: request.model, temperature: request.temperature, mull: request.mull }),
    streamed: (request) => request.stream === true,
    refuse: (request, model) => unsupportedField(kind, request, model),
    toCall: (request, abortSignal) => toCallOptions(kind, request, abortSignal),
    responseId: () => `${kind === "chat" ? "chatcmpl" : "cmpl"}-${crypto.randomUUID()}`,
    toJson: (result, identity) => jsonBody(kind, result, identity),
    encoder: (identity, request) => chunkEncoder(kind, identity, request.stream_options?.include_usage === true),
  };
}

/**
 * Fields the model cannot honour, refused by name rather than dropped: tools, a tool choice that needs
 * them, a structured `response_format` and non-text content parts, where the model (the embedded one) does
 * not take them. An upstream takes them as they are.
 */
function unsupportedField(kind: Kind, request: CompletionRequest | ChatRequest, model: LanguageModel): ReturnType<typeof invalidRequest> | undefined {
  const body = request as ChatRequest;
  if (kind === "completion") {
    const chatOnly = (["tools", "tool_choice", "parallel_tool_calls", "messages"] as const).find((field) => body[field] != null);
    return chatOnly ? invalidRequest(`${chatOnly} belongs to /v1/chat/completions; /v1/completions takes a prompt`, chatOnly) : undefined;
  }
  const hasTools = Array.isArray(body.tools) && body.tools.length > 0;
  const choice = body.tool_choice;
  if (!hasTools && choice != null && choice !== "none" && choice !== "auto")
    return invalidRequest("tool_choice asks for a tool call, but the request gives no tools", "tool_choice");
  const name = model.modelId;
  const format = body.response_format;
  if (format && format.type !== "text" && !model.supportsResponseFormat)
    return invalidRequest(`the model ${JSON.stringify(name)} cannot constrain output to ${format.type}; send response_format text or none`, "response_format");
  if (model.supportsTools) return undefined;
  if (hasTools) return invalidRequest(`the model ${JSON.stringify(name)} cannot call tools; send the request without tools, or to an upstream model`, "tools");
  for (const [index, message] of (body.messages ?? []).entries()) {
    const parts = Array.isArray(message.content) ? message.content : [];
    const other = parts.find((part) => part.type !== "text");
    if (other)
      return invalidRequest(`the model ${JSON.stringify(name)} takes only text content parts, not ${JSON.stringify(other.type)}`, `messages.${index}.content`);
  }
  return undefined;
}

/** Chat messages for the model: text parts joined into one string; a message with other parts (for an upstream) kept as parts. */
function joinTextParts(messages: ChatRequest["messages"]): ChatMessage[] {
  return messages.map((message) =>
    Array.isArray(message.content) && message.content.every((part) => part.type === "text")
      ? ({ ...message, content: message.content.map((part) => part.text ?? "").join("") } as ChatMessage)
      : (message as ChatMessage),
  );
}

function toCallOptions(kind: Kind, request: CompletionRequest | ChatRequest, abortSignal: AbortSignal): CallOptions {
  const stop = request.stop == null ? undefined : Array.isArray(request.stop) ? request.stop : [request.stop];
  const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  const prompt: string | ChatMessage[] =
    kind === "chat" ? joinTextParts((request as ChatRequest).messages) : (([] as string[]).concat((request as CompletionRequest).prompt)[0] as string);
  // Legacy `logprobs: 0` asks for the sampled tokens' log-probabilities without alternatives.
  const wantsLogprobs = kind === "chat" ? (request as ChatRequest).logprobs === true : (request as CompletionRequest).logprobs != null;
  const topLogprobs = kind === "chat" ? ((request as ChatRequest).top_logprobs ?? 0) : ((request as CompletionRequest).logprobs ?? 0);
  return {
    prompt,
    ...(request.n != null ? { n: request.n } : {}),
    ...(request.temperature != null ? { temperature: request.temperature } : {}),
    ...(request.top_p != null ? { topP: request.top_p } : {}),
    ...(maxTokens != null ? { maxTokens } : {}),
    ...(stop ? { stop } : {}),
    ...(request.seed != null ? { seed: request.seed } : {}),
    ...samplingShape(request),
    ...(wantsLogprobs ? { logprobs: true, ...(topLogprobs > 0 ? { topLogprobs } : {}) } : {}),
    ...toolOptions(request as ChatRequest),
    abortSignal,
  };
}

/** Top-k, min-p, penalties, biases and reasoning effort as call options (`top_k` -1, vLLM's "off", is none). */
function samplingShape(request: CompletionRequest | ChatRequest): Partial<CallOptions> {
  const repetition = request.repetition_penalty ?? request.repeat_penalty;
  const effort = (request as ChatRequest).reasoning_effort;
  return {
    ...(request.top_k != null && request.top_k !== -1 ? { topK: request.top_k } : {}),
    ...(request.min_p != null ? { minP: request.min_p } : {}),
    ...(request.presence_penalty != null ? { presencePenalty: request.presence_penalty } : {}),
    ...(request.frequency_penalty != null ? { frequencyPenalty: request.frequency_penalty } : {}),
    ...(repetition != null ? { repetitionPenalty: repetition } : {}),
    ...(request.logit_bias != null ? { logitBias: request.logit_bias } : {}),
    ...(effort != null ? { reasoningEffort: effort } : {}),
    ...(request.thinking_token_budget != null ? { maxReasoningTokens: request.thinking_token_budget } : {}),
  };
}

/** The request's tools and output format as call options, exactly as the client wrote them. */
function toolOptions(request: ChatRequest): Partial<CallOptions> {
  return {
    ...(request.tools && request.tools.length > 0 ? { tools: request.tools as ToolDefinition[] } : {}),
    ...(request.tool_choice != null ? { toolChoice: request.tool_choice as ToolChoice } : {}),
    ...(request.parallel_tool_calls != null ? { parallelToolCalls: request.parallel_tool_calls } : {}),
    ...(request.response_format != null ? { responseFormat: request.response_format as ResponseFormat } : {}),
  };
}

/** A finished result as a `chat.completion` or `text_completion` body. */
function jsonBody(kind: Kind, result: GenerateResult, identity: ResponseIdentity): Record<string, unknown> {
  const choices = result.completions.map((completion, index) => {
    const logprobs = completion.logprobs ? logprobsBody(kind, completion.logprobs) : null;
    const toolCalls = completion.toolCalls && completion.toolCalls.length > 0 ? completion.toolCalls : undefined;
    // A message that only calls tools has null content, as OpenAI sends it.
    const message = {
      role: "assistant",
      content: toolCalls && completion.text === "" ? null : completion.text,
      refusal: null,
      // A reasoning model's thinking, apart from the answer, as vLLM and DeepSeek send it.
      ...(completion.reasoning ? { reasoning_content: completion.reasoning } : {}),
      ...(toolCalls ? { tool_calls: toolCalls } : {}),
    };
    const content = kind === "chat" ? { message } : { text: completion.text };
    return { index, ...content, finish_reason: wireFinishReason(completion.finishReason), ...stopReasonBody(completion), logprobs };
  });
  const mull = mullBody(result.metadata?.mull, result.usage);
  return {
    id: identity.id,
    object: kind === "chat" ? "chat.completion" : "text_completion",
    created: identity.created,
    model: identity.model,
    choices,
    usage: usageBody(result.usage, reasoningTokensOf(result.completions)),
    ...(mull ? { mull } : {}),
    ...(result.warnings.length > 0 ? { warnings: result.warnings } : {}),
  };
}

/** The stream's chunks: each part's body in the chunk envelope, an error as its error body, then `[DONE]`. */
function chunkEncoder(kind: Kind, identity: ResponseIdentity, includeUsage: boolean): StreamEncoder {
  const object = kind === "chat" ? "chat.completion.chunk" : "text_completion";
  const chunkOf = chunkWriter(kind, includeUsage);
  const event = (data: unknown): ServerSentEvent[] => [{ data: JSON.stringify(data) }];
  return {
    start: () => [],
    part: (part) => {
      const body = chunkOf(part);
      return body ? event({ id: identity.id, object, created: identity.created, model: identity.model, ...body }) : [];
    },
    error: (error) => event(toOpenAIError(error).body),
    end: () => [{ data: "[DONE]" }],
  };
}

/** Turns stream parts into chunk bodies; remembers each choice's text length, for legacy `text_offset`. */
function chunkWriter(kind: Kind, includeUsage: boolean) {
  const written = new Map<number, number>();
  const toolCallsSent = new Map<number, number>();
  const ended: { reasoningTokens?: number }[] = [];
  return (part: StreamPart): Record<string, unknown> | undefined => {
    switch (part.type) {
      case "tool-call": {
        // Each call whole in one delta, with its position among the choice's calls.
        const position = toolCallsSent.get(part.index) ?? 0;
        toolCallsSent.set(part.index, position + 1);
        return chatDelta(kind, part.index, { tool_calls: [{ index: position, ...part.toolCall }] });
      }
      case "stream-start":
        // Warnings reach streaming clients too, in a chunk without choices (OpenAI clients pass over it).
        return part.warnings.length > 0 ? { choices: [], mull: { warnings: part.warnings } } : undefined;
      case "reasoning-delta":
        return chatDelta(kind, part.index, { reasoning_content: part.delta });
      case "text-delta": {
        const offset = written.get(part.index) ?? 0;
        written.set(part.index, offset + part.delta.length);
        return deltaChunk(kind, part, offset);
      }
      case "completion-end":
        ended.push(part);
        return endOfChoiceChunk(kind, part);
      case "progress":
        return { choices: [], mull: { progress: part.message, usage: part.usage, ...(part.data ? { data: part.data } : {}) } };
      case "trace":
        return { choices: [], mull: { trace: part.event, run: part.run } };
      case "end": {
        const mull = mullBody(part.metadata?.mull, part.usage);
        if (!includeUsage && !mull) return undefined;
        return { choices: [], ...(includeUsage ? { usage: usageBody(part.usage, reasoningTokensOf(ended)) } : {}), ...(mull ? { mull } : {}) };
      }
      default:
        return undefined;
    }
  };
}

/** A chat chunk carrying one choice's delta (reasoning, tool calls); legacy completions have no place for it. */
function chatDelta(kind: Kind, index: number, fields: Record<string, unknown>) {
  return kind === "chat" ? { choices: [{ index, delta: { role: "assistant", ...fields }, finish_reason: null, logprobs: null }] } : undefined;
}

function deltaChunk(kind: Kind, part: Extract<StreamPart, { type: "text-delta" }>, offset: number) {
  const logprobs = part.logprobs ? logprobsBody(kind, part.logprobs, offset) : null;
  const content = kind === "chat" ? { delta: { role: "assistant", content: part.delta } } : { text: part.delta };
  return { choices: [{ index: part.index, ...content, finish_reason: null, logprobs }] };
}

function endOfChoiceChunk(kind: Kind, part: Extract<StreamPart, { type: "completion-end" }>) {
  const content = kind === "chat" ? { delta: {} } : { text: "" };
  return { choices: [{ index: part.index, ...content, finish_reason: wireFinishReason(part.finishReason), ...stopReasonBody(part), logprobs: null }] };
}
