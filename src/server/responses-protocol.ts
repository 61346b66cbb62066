/**
 * `POST /v1/responses`, the Responses API (which the AI SDK's default OpenAI provider calls), for text in and
 * text out, streamed or not. Input items become chat messages; the output is one assistant message. A
 * strategy is chosen as on the other routes (`strategy/model` or the `mull` object); the rest of the pipeline
 * (resolving, the debugger, metering, key spend, errors) is the other routes' (`handle-run.ts`).
 */
import { z } from "zod";
import type { ChatMessage } from "../core/call-options.js";
import type { Usage } from "../core/usage.js";
import { invalidRequest, toOpenAIError } from "./openai-error.js";
import type { Protocol, ResponseIdentity, ServerSentEvent, StreamEncoder } from "./protocol.js";
import { mullRequestSchema } from "./request-schemas.js";
import { mullBody } from "./response-bodies.js";

const textPart = z.looseObject({ type: z.enum(["input_text", "output_text", "text"]), text: z.string() });
const inputItem = z.looseObject({
  type: z.literal("message").optional(),
  role: z.enum(["user", "assistant", "system", "developer"]),
  content: z.union([z.string(), z.array(textPart)]),
});

export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(inputItem).min(1)]),
  instructions: z.string().nullish(),
  max_output_tokens: z.number().int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  stream: z.boolean().nullish(),
  tools: z.array(z.unknown()).nullish(),
  mull: mullRequestSchema.optional(),
});

type ResponsesRequest = z.output<typeof responsesRequestSchema>;

function messagesOf(request: ResponsesRequest): ChatMessage[] {
  const items = typeof request.input === "string" ? [{ role: "user" as const, content: request.input }] : request.input;
  const messages = items.map((item) => ({
    role: item.role,
    content: typeof item.content === "string" ? item.content : item.content.map((part) => part.text).join(""),
  }));
  return request.instructions ? [{ role: "system", content: request.instructions }, ...messages] : messages;
}

/** The response object, in progress (no output yet) or done. */
function responseBody(options: {
  identity: ResponseIdentity;
  request: ResponsesRequest;
  text?: string;
  messageId: string;
  result?: { usage: Usage; truncated: boolean; mull?: ReturnType<typeof mullBody> };
}) {
  const { request, result } = options;
  const done = result !== undefined;
  const status = !done ? "in_progress" : result.truncated ? "incomplete" : "completed";
  return {
    id: options.identity.id,
    object: "response",
    created_at: options.identity.created,
    status,
    ...(done ? { completed_at: Math.floor(Date.now() / 1000) } : {}),
    error: null,
    incomplete_details: done && result.truncated ? { reason: "max_output_tokens" } : null,
    instructions: request.instructions ?? null,
    metadata: {},
    max_output_tokens: request.max_output_tokens ?? null,
    model: options.identity.model,
    output: done ? [messageItem(options.messageId, options.text ?? "", "completed")] : [],
    parallel_tool_calls: false,
    temperature: request.temperature ?? null,
    top_p: request.top_p ?? null,
    tool_choice: "none",
    tools: [],
    ...(done ? { usage: usageOf(result.usage) } : {}),
    ...(done && result.mull ? { mull: result.mull } : {}),
  };
}

const messageItem = (id: string, text: string, status: "in_progress" | "completed") => ({
  type: "message",
  id,
  status,
  role: "assistant",
  content: status === "completed" ? [{ type: "output_text", text, annotations: [], logprobs: [] }] : [],
});

const usageOf = (usage: Usage) => ({
  input_tokens: usage.promptTokens,
  input_tokens_details: { cached_tokens: usage.cachedPromptTokens ?? 0, cache_write_tokens: 0 },
  output_tokens: usage.completionTokens,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: usage.promptTokens + usage.completionTokens,
});

/** The Responses API as a protocol. */
export const responsesProtocol: Protocol<ResponsesRequest> = {
  schema: responsesRequestSchema,
  target: (request) => ({ model: request.model, ...(request.temperature != null ? { temperature: request.temperature } : {}), mull: request.mull }),
  streamed: (request) => request.stream === true,
  refuse: (request) =>
    request.tools && request.tools.length > 0
      ? invalidRequest("/v1/responses takes no tools; send tools to /v1/chat/completions, which passes them to an upstream model", "tools")
      : undefined,
  toCall: (request, abortSignal) => ({
    prompt: messagesOf(request),
    ...(request.max_output_tokens != null ? { maxTokens: request.max_output_tokens } : {}),
    ...(request.temperature != null ? { temperature: request.temperature } : {}),
    ...(request.top_p != null ? { topP: request.top_p } : {}),
    abortSignal,
  }),
  responseId: () => `resp_${crypto.randomUUID().replaceAll("-", "")}`,
  toJson(result, identity, request) {
    const completion = result.completions[0];
    const truncated = completion?.finishReason === "length";
    return responseBody({
      identity,
      request,
      messageId: messageIdOf(identity),
      text: completion?.text ?? "",
      result: { usage: result.usage, truncated, mull: mullBody(result.metadata?.mull, result.usage) },
    });
  },
  encoder: (identity, request) => responseEvents(identity, request),
};

/** The output message's id, derived from the response's (one message per response). */
const messageIdOf = (identity: ResponseIdentity) => `msg_${identity.id.slice("resp_".length)}`;

/** The Responses API's stream: named events from `response.created` to `response.completed`. */
function responseEvents(identity: ResponseIdentity, request: ResponsesRequest): StreamEncoder {
  const messageId = messageIdOf(identity);
  let sequence = 0;
  const event = (type: string, data: Record<string, unknown>): ServerSentEvent => ({
    event: type,
    data: JSON.stringify({ type, sequence_number: sequence++, ...data }),
  });
  const at = { item_id: messageId, output_index: 0, content_index: 0 };
  let text = "";
  let truncated = false;
  return {
    start: () => [
      event("response.created", { response: responseBody({ identity, request, messageId }) }),
      event("response.output_item.added", { output_index: 0, item: messageItem(messageId, "", "in_progress") }),
      event("response.content_part.added", { ...at, part: { type: "output_text", text: "", annotations: [], logprobs: [] } }),
    ],
    part(part) {
      if (part.type === "text-delta" && part.index === 0) {
        text += part.delta;
        return [event("response.output_text.delta", { ...at, delta: part.delta, logprobs: [] })];
      }
      if (part.type === "completion-end" && part.index === 0) truncated = part.finishReason === "length";
      if (part.type !== "end") return [];
      const done = responseBody({
        identity,
        request,
        messageId,
        text,
        result: { usage: part.usage, truncated, mull: mullBody(part.metadata?.mull, part.usage) },
      });
      return [
        event("response.output_text.done", { ...at, text, logprobs: [] }),
        event("response.content_part.done", { ...at, part: { type: "output_text", text, annotations: [], logprobs: [] } }),
        event("response.output_item.done", { output_index: 0, item: messageItem(messageId, text, "completed") }),
        event(truncated ? "response.incomplete" : "response.completed", { response: done }),
      ];
    },
    error: (error) => [event("error", { ...toOpenAIError(error).body.error })],
    end: () => [],
  };
}
