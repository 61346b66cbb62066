/**
 * `POST /v1/responses`, the Responses API (which the AI SDK's default OpenAI provider calls), for text in and
 * text out, streamed or not. Input items become chat messages; the output is one assistant message. A
 * strategy is chosen as on the other routes (`strategy/model` or the `mull` object).
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import type { CallOptions, ChatMessage } from "../core/call-options.js";
import type { GenerateResult } from "../core/generate-result.js";
import type { StreamPart } from "../core/stream-part.js";
import type { Usage } from "../core/usage.js";
import { invalidRequest, toOpenAIError } from "./openai-error.js";
import { mullRequestSchema } from "./request-schemas.js";
import { resolveRequestModel, type ServedModels } from "./resolve-request-model.js";
import { mullBody } from "./response-bodies.js";
import type { ServerEnv } from "./server-env.js";

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
  id: string;
  model: string;
  created: number;
  request: ResponsesRequest;
  text?: string;
  messageId: string;
  result?: { usage: Usage; truncated: boolean; mull?: ReturnType<typeof mullBody> };
}) {
  const { request, result } = options;
  const done = result !== undefined;
  const status = !done ? "in_progress" : result.truncated ? "incomplete" : "completed";
  return {
    id: options.id,
    object: "response",
    created_at: options.created,
    status,
    ...(done ? { completed_at: Math.floor(Date.now() / 1000) } : {}),
    error: null,
    incomplete_details: done && result.truncated ? { reason: "max_output_tokens" } : null,
    instructions: request.instructions ?? null,
    metadata: {},
    max_output_tokens: request.max_output_tokens ?? null,
    model: options.model,
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

export async function handleResponses(served: ServedModels, context: Context<ServerEnv>, abortSignal: AbortSignal) {
  let raw: unknown;
  try {
    raw = await context.req.json();
  } catch {
    const { status, body } = invalidRequest("The body is not valid JSON");
    return context.json(body, status);
  }
  const parsed = responsesRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const { status, body } = invalidRequest(
      `Invalid request: ${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`,
      issue?.path.join(".") || null,
    );
    return context.json(body, status);
  }
  const request = parsed.data;
  if (request.tools && request.tools.length > 0) {
    const { status, body } = invalidRequest(
      "/v1/responses takes no tools; send tools to /v1/chat/completions, which passes them to an upstream model",
      "tools",
    );
    return context.json(body, status);
  }
  const resolved = resolveRequestModel(served, {
    model: request.model,
    ...(request.temperature != null ? { temperature: request.temperature } : {}),
    mull: request.mull,
  });
  if ("error" in resolved) return context.json(resolved.error.body, resolved.error.status);
  context.set("modelId", resolved.id);
  // What the request spent counts in the metrics and against its key, as on the other routes.
  const apiKey = context.get("apiKey");
  const baseId = resolved.id.split("/").at(-1) ?? resolved.id;
  const spent = (usage: Usage, strategy: string | undefined) => {
    served.metrics?.tokens({ model: baseId, strategy: strategy ?? "none", usage });
    if (apiKey) served.keyRing?.spend(apiKey, usage.promptTokens + usage.completionTokens);
  };
  const call: CallOptions = {
    prompt: messagesOf(request),
    ...(request.max_output_tokens != null ? { maxTokens: request.max_output_tokens } : {}),
    ...(request.temperature != null ? { temperature: request.temperature } : {}),
    ...(request.top_p != null ? { topP: request.top_p } : {}),
    abortSignal,
  };
  const ids = { id: `resp_${crypto.randomUUID().replaceAll("-", "")}`, messageId: `msg_${crypto.randomUUID().replaceAll("-", "")}` };
  const base = { ...ids, model: resolved.id, created: Math.floor(Date.now() / 1000), request };
  if (!request.stream) {
    const result: GenerateResult = await resolved.model.doGenerate(call);
    spent(result.usage, result.strategy?.strategy);
    const completion = result.completions[0];
    const truncated = completion?.finishReason === "length";
    return context.json(
      responseBody({ ...base, text: completion?.text ?? "", result: { usage: result.usage, truncated, mull: mullBody(result.strategy, result.usage) } }),
    );
  }
  return streamResponses(context, resolved.model.doStream(call), base, spent);
}

/** The Responses API's stream: named events from `response.created` to `response.completed`. */
async function streamResponses(
  context: Context<ServerEnv>,
  opening: Promise<ReadableStream<StreamPart>>,
  base: Parameters<typeof responseBody>[0],
  spent: (usage: Usage, strategy: string | undefined) => void,
) {
  let reader: ReadableStreamDefaultReader<StreamPart>;
  let first: ReadableStreamReadResult<StreamPart>;
  try {
    reader = (await opening).getReader();
    first = await reader.read();
    if (!first.done && first.value.type === "error") throw first.value.error;
  } catch (error) {
    const { status, body } = toOpenAIError(error);
    return context.json(body, status);
  }
  return streamSSE(context, async (stream) => {
    let sequence = 0;
    const send = (type: string, data: Record<string, unknown>) =>
      stream.writeSSE({ event: type, data: JSON.stringify({ type, sequence_number: sequence++, ...data }) });
    const at = { item_id: base.messageId, output_index: 0, content_index: 0 };
    await send("response.created", { response: responseBody(base) });
    await send("response.output_item.added", { output_index: 0, item: messageItem(base.messageId, "", "in_progress") });
    await send("response.content_part.added", { ...at, part: { type: "output_text", text: "", annotations: [], logprobs: [] } });
    let text = "";
    let truncated = false;
    for (let step = first; !step.done; step = await reader.read()) {
      const part = step.value;
      if (part.type === "error") {
        await send("error", { ...toOpenAIError(part.error).body.error });
        return;
      }
      if (part.type === "text-delta" && part.index === 0) {
        text += part.delta;
        await send("response.output_text.delta", { ...at, delta: part.delta, logprobs: [] });
      } else if (part.type === "completion-end" && part.index === 0) truncated = part.finishReason === "length";
      else if (part.type === "end") {
        spent(part.usage, part.strategy?.strategy);
        const done = responseBody({ ...base, text, result: { usage: part.usage, truncated, mull: mullBody(part.strategy, part.usage) } });
        await send("response.output_text.done", { ...at, text, logprobs: [] });
        await send("response.content_part.done", { ...at, part: { type: "output_text", text, annotations: [], logprobs: [] } });
        await send("response.output_item.done", { output_index: 0, item: messageItem(base.messageId, text, "completed") });
        await send(truncated ? "response.incomplete" : "response.completed", { response: done });
      }
    }
  });
}
