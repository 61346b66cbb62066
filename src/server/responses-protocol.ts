/**
 * `POST /v1/responses`, the Responses API (which the AI SDK's default OpenAI provider and agents call): input
 * items (messages, function calls and their outputs) become chat messages; the output is reasoning, a message and
 * function calls as items. Function tools, `tool_choice`, `text.format` (structured output), `reasoning.effort`
 * and `previous_response_id` (a conversation kept by `response-store.ts`) are honoured; every other field is in
 * `responsesFields`, honoured or refused by name. A strategy is chosen as on the other routes; the rest of the
 * pipeline is `handle-run.ts`.
 */
import { z } from "zod";
import { type ChatMessage, reasoningEfforts } from "../core/call-options.js";
import type { Completion } from "../core/generate-result.js";
import type { ResponseFormat, ToolCall, ToolChoice, ToolDefinition } from "../core/tools.js";
import type { Usage } from "../core/usage.js";
import { createThinkingSplitter, thinkingApart } from "../internal/think-tags.js";
import { invalidRequest, toOpenAIError } from "./openai-error.js";
import type { Protocol, ResponseIdentity, ServerSentEvent, StreamEncoder } from "./protocol.js";
import type { FieldRule } from "./request-fields.js";
import { mullRequestSchema } from "./request-schemas.js";
import { mullBody } from "./response-bodies.js";
import type { ResponseStore } from "./response-store.js";

const textPart = z.looseObject({ type: z.enum(["input_text", "output_text", "text"]), text: z.string() });
const messageItem = z.looseObject({
  type: z.literal("message").optional(),
  role: z.enum(["user", "assistant", "system", "developer"]),
  content: z.union([z.string(), z.array(textPart)]),
});
const functionCallItem = z.looseObject({
  type: z.literal("function_call"),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
});
const functionOutputItem = z.looseObject({ type: z.literal("function_call_output"), call_id: z.string().min(1), output: z.string() });
// Earlier turns' reasoning comes back as input; like chat templates, mull does not send old thinking again.
const reasoningItem = z.looseObject({ type: z.literal("reasoning") });
const inputItem = z.union([messageItem, functionCallItem, functionOutputItem, reasoningItem]);

const functionTool = z.looseObject({
  type: z.literal("function"),
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1 to 64 letters, digits, '_' or '-'"),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

const formatSchema = z.union([
  z.looseObject({ type: z.literal("text") }),
  z.looseObject({ type: z.literal("json_object") }),
  z.looseObject({
    type: z.literal("json_schema"),
    name: z.string().min(1).max(64),
    schema: z.record(z.string(), z.unknown()),
    description: z.string().nullish(),
    strict: z.boolean().nullish(),
  }),
]);

export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(inputItem).min(1)]),
  instructions: z.string().nullish(),
  max_output_tokens: z.number().int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  stream: z.boolean().nullish(),
  tools: z.array(z.looseObject({ type: z.string() })).nullish(),
  tool_choice: z.union([z.enum(["none", "auto", "required"]), z.looseObject({ type: z.literal("function"), name: z.string().min(1) })]).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z.looseObject({ format: formatSchema.nullish() }).nullish(),
  reasoning: z.looseObject({ effort: z.enum(reasoningEfforts).nullish() }).nullish(),
  previous_response_id: z.string().min(1).nullish(),
  store: z.boolean().nullish(),
  mull: mullRequestSchema.optional(),
});

type ResponsesRequest = z.output<typeof responsesRequestSchema>;

/** Every field of a Responses request, and what mull does with it (see `request-fields.ts`). */
export const responsesFields: Record<string, FieldRule> = {
  model: { use: "run", note: "a base model, `strategy/model`, a strategy or a route" },
  input: { use: "run", note: "text, or messages, function calls and their outputs (reasoning items are not sent again)" },
  instructions: { use: "run", note: "a system message first" },
  stream: { use: "run", note: "the Responses event stream" },
  mull: { use: "run", note: "mull's own object" },
  previous_response_id: { use: "run", note: "the stored conversation goes first (refused where the server stores none)" },
  store: { use: "run", note: "false: the response is not kept for previous_response_id" },
  max_output_tokens: { use: "call", note: "the completion cap" },
  temperature: { use: "call", note: "honoured" },
  top_p: { use: "call", note: "honoured" },
  tools: { use: "call", note: "function tools; other tool types are refused by name" },
  tool_choice: { use: "call", note: "honoured with tools" },
  parallel_tool_calls: { use: "call", note: "honoured by upstreams" },
  text: { use: "call", note: "`format`: JSON or a JSON schema (structured output)" },
  reasoning: { use: "call", note: "`effort` as `reasoning_effort`; the thinking comes back as a reasoning item" },
  metadata: { use: "accepted", note: "echoed in the response" },
  user: { use: "accepted", note: "an end-user id" },
  safety_identifier: { use: "accepted", note: "an end-user id" },
  prompt_cache_key: { use: "accepted", note: "a cache routing hint" },
  service_tier: { use: "accepted", note: "a processing tier" },
  truncation: { use: "accepted", note: "`disabled` is what mull does (a prompt over the context is an error)" },
  include: { use: "refused", note: "include is not supported: reasoning comes back as text in its item, logprobs through /v1/chat/completions" },
  background: { use: "refused", note: "background responses are not supported; stream instead" },
  conversation: { use: "refused", note: "conversations are not supported; use previous_response_id" },
  prompt: { use: "refused", note: "stored prompt templates are not supported; send input" },
  max_tool_calls: { use: "refused", note: "max_tool_calls is not supported: mull makes no built-in tool calls" },
  top_logprobs: { use: "refused", note: "top_logprobs is not supported on /v1/responses; use /v1/chat/completions" },
  stream_options: { use: "accepted", note: "accepted; the stream carries usage in response.completed" },
  prompt_cache_retention: { use: "accepted", note: "a cache retention hint" },
  prompt_cache_options: { use: "accepted", note: "prompt caching settings" },
  moderation: { use: "refused", note: "moderation is not supported on /v1/responses" },
  context_management: { use: "refused", note: "context_management is not supported: mull does not compact conversations" },
};

/** Input items as chat messages: function calls join the assistant message before them, outputs become tool messages. */
function inputMessages(input: ResponsesRequest["input"]): ChatMessage[] {
  if (typeof input === "string") return [{ role: "user", content: input }];
  const messages: ChatMessage[] = [];
  for (const item of input) {
    if (item.type === "reasoning") continue;
    if (item.type === "function_call") {
      const call = item as z.output<typeof functionCallItem>;
      const toolCall: ToolCall = { id: call.call_id, type: "function", function: { name: call.name, arguments: call.arguments } };
      const last = messages.at(-1);
      if (last?.role === "assistant") last.tool_calls = [...((last.tool_calls as ToolCall[] | undefined) ?? []), toolCall];
      else messages.push({ role: "assistant", content: null, tool_calls: [toolCall] });
      continue;
    }
    if (item.type === "function_call_output") {
      const output = item as z.output<typeof functionOutputItem>;
      messages.push({ role: "tool", tool_call_id: output.call_id, content: output.output });
      continue;
    }
    const message = item as z.output<typeof messageItem>;
    messages.push({ role: message.role, content: typeof message.content === "string" ? message.content : message.content.map((part) => part.text).join("") });
  }
  return messages;
}

function toolsOf(request: ResponsesRequest): ToolDefinition[] | undefined {
  if (!request.tools || request.tools.length === 0) return undefined;
  return request.tools.map((tool) => {
    const parsed = functionTool.parse(tool);
    return {
      type: "function",
      function: {
        name: parsed.name,
        ...(parsed.description ? { description: parsed.description } : {}),
        ...(parsed.parameters ? { parameters: parsed.parameters } : {}),
        ...(parsed.strict != null ? { strict: parsed.strict } : {}),
      },
    };
  });
}

function toolChoiceOf(choice: ResponsesRequest["tool_choice"]): ToolChoice | undefined {
  if (choice == null) return undefined;
  return typeof choice === "string" ? choice : { type: "function", function: { name: choice.name } };
}

function formatOf(request: ResponsesRequest): ResponseFormat | undefined {
  const format = request.text?.format;
  if (!format || format.type === "text") return undefined;
  if (format.type === "json_object") return { type: "json_object" };
  const schema = format as { name: string; schema: Record<string, unknown>; description?: string | null; strict?: boolean | null };
  return {
    type: "json_schema",
    json_schema: {
      name: schema.name,
      schema: schema.schema,
      ...(schema.description ? { description: schema.description } : {}),
      ...(schema.strict != null ? { strict: schema.strict } : {}),
    },
  };
}

/** The output items of one completion: its reasoning, its message (unless it only calls tools), its function calls. */
type OutputItem = Record<string, unknown>;

const messageOutput = (id: string, text: string, status: "in_progress" | "completed") => ({
  type: "message",
  id,
  status,
  role: "assistant",
  content: status === "completed" ? [outputText(text)] : [],
});
const outputText = (text: string) => ({ type: "output_text", text, annotations: [], logprobs: [] });
const reasoningOutput = (id: string, text: string) => ({ type: "reasoning", id, summary: [], content: [{ type: "reasoning_text", text }] });
const functionCallOutput = (id: string, call: ToolCall, status: "in_progress" | "completed") => ({
  type: "function_call",
  id,
  call_id: call.id,
  name: call.function.name,
  arguments: status === "completed" ? call.function.arguments : "",
  status,
});

function outputItems(completion: Completion | undefined, ids: ItemIds): OutputItem[] {
  if (!completion) return [messageOutput(ids.next("msg"), "", "completed")];
  const items: OutputItem[] = [];
  const { reasoning, text } = thinkingApart(completion);
  if (reasoning) items.push(reasoningOutput(ids.next("rs"), reasoning));
  const calls = completion.toolCalls ?? [];
  if (text !== "" || calls.length === 0) items.push(messageOutput(ids.next("msg"), text, "completed"));
  for (const call of calls) items.push(functionCallOutput(ids.next("fc"), call, "completed"));
  return items;
}

/** Item ids derived from the response's, numbered in output order. */
function itemIds(identity: ResponseIdentity) {
  const base = identity.id.slice("resp_".length);
  let count = 0;
  return { next: (prefix: string) => `${prefix}_${base}${count++ === 0 ? "" : `_${count - 1}`}` };
}
type ItemIds = ReturnType<typeof itemIds>;

/** The conversation after this response: its input, then its output as messages (what `previous_response_id` continues). */
function conversationAfter(input: ChatMessage[], completion: Completion | undefined): ChatMessage[] {
  const calls = completion?.toolCalls ?? [];
  const reply: ChatMessage = { role: "assistant", content: completion?.text ?? "", ...(calls.length > 0 ? { tool_calls: calls } : {}) };
  return [...input, reply];
}

const usageOf = (usage: Usage, reasoningTokens: number) => ({
  input_tokens: usage.promptTokens,
  input_tokens_details: { cached_tokens: usage.cachedPromptTokens ?? 0, cache_write_tokens: 0 },
  output_tokens: usage.completionTokens,
  output_tokens_details: { reasoning_tokens: reasoningTokens },
  total_tokens: usage.promptTokens + usage.completionTokens,
});

/** The response object, in progress (no output yet) or done. */
function responseBody(options: {
  identity: ResponseIdentity;
  request: ResponsesRequest;
  output?: OutputItem[];
  result?: { usage: Usage; reasoningTokens: number; truncated: boolean; mull?: ReturnType<typeof mullBody> };
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
    metadata: (request.metadata as Record<string, string> | undefined) ?? {},
    max_output_tokens: request.max_output_tokens ?? null,
    model: options.identity.model,
    output: done ? (options.output ?? []) : [],
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: null },
    store: request.store ?? true,
    temperature: request.temperature ?? null,
    text: { format: request.text?.format ?? { type: "text" } },
    top_p: request.top_p ?? null,
    tool_choice: request.tool_choice ?? "auto",
    tools: request.tools ?? [],
    truncation: "disabled",
    ...(done ? { usage: usageOf(result.usage, result.reasoningTokens) } : {}),
    ...(done && result.mull ? { mull: result.mull } : {}),
  };
}

/** The Responses API as a protocol, keeping answered conversations in `store` for `previous_response_id`. */
export function createResponsesProtocol(store: ResponseStore): Protocol<ResponsesRequest> {
  const conversation = (request: ResponsesRequest): ChatMessage[] => {
    const earlier = request.previous_response_id ? (store.get(request.previous_response_id) ?? []) : [];
    const system: ChatMessage[] = request.instructions ? [{ role: "system", content: request.instructions }] : [];
    // Instructions apply to this response only, as OpenAI's do: an earlier response's are not carried over.
    return [...system, ...earlier.filter((message) => message.role !== "system"), ...inputMessages(request.input)];
  };
  const keep = (request: ResponsesRequest, identity: ResponseIdentity, completion: Completion | undefined) => {
    if (request.store !== false) store.save(identity.id, conversationAfter(conversation(request), completion));
  };
  return {
    schema: responsesRequestSchema,
    fields: responsesFields,
    target: (request) => ({ model: request.model, ...(request.temperature != null ? { temperature: request.temperature } : {}), mull: request.mull }),
    streamed: (request) => request.stream === true,
    refuse(request, model) {
      const other = request.tools?.find((tool) => tool.type !== "function");
      if (other) return invalidRequest(`/v1/responses takes function tools only, not ${JSON.stringify(other.type)}`, "tools");
      for (const [index, tool] of (request.tools ?? []).entries()) {
        const parsed = functionTool.safeParse(tool);
        if (!parsed.success) return invalidRequest(`tools.${index}: ${parsed.error.issues[0]?.message ?? "invalid"}`, `tools.${index}`);
      }
      if ((request.tools?.length ?? 0) > 0 && !model.supportsTools)
        return invalidRequest(`the model ${JSON.stringify(model.modelId)} cannot call tools; send the request without tools, or to an upstream model`, "tools");
      const format = request.text?.format;
      if (format && format.type !== "text" && !model.supportsResponseFormat)
        return invalidRequest(`the model ${JSON.stringify(model.modelId)} cannot constrain output to ${format.type}`, "text.format");
      if (request.previous_response_id) {
        if (!store.enabled)
          return invalidRequest("this server stores no responses (responseStoreTtlMs is 0): send the whole conversation as input", "previous_response_id");
        if (!store.get(request.previous_response_id))
          return invalidRequest(
            `no stored response ${JSON.stringify(request.previous_response_id)} (unknown, expired or stored with store: false)`,
            "previous_response_id",
          );
      }
      return undefined;
    },
    toCall(request, abortSignal) {
      const tools = toolsOf(request);
      const toolChoice = toolChoiceOf(request.tool_choice);
      const responseFormat = formatOf(request);
      return {
        prompt: conversation(request),
        ...(request.max_output_tokens != null ? { maxTokens: request.max_output_tokens } : {}),
        ...(request.temperature != null ? { temperature: request.temperature } : {}),
        ...(request.top_p != null ? { topP: request.top_p } : {}),
        ...(tools ? { tools } : {}),
        ...(toolChoice ? { toolChoice } : {}),
        ...(request.parallel_tool_calls != null ? { parallelToolCalls: request.parallel_tool_calls } : {}),
        ...(responseFormat ? { responseFormat } : {}),
        ...(request.reasoning?.effort ? { reasoningEffort: request.reasoning.effort } : {}),
        abortSignal,
      };
    },
    responseId: () => `resp_${crypto.randomUUID().replaceAll("-", "")}`,
    toJson(result, identity, request) {
      const completion = result.completions[0];
      keep(request, identity, completion);
      return responseBody({
        identity,
        request,
        output: outputItems(completion, itemIds(identity)),
        result: {
          usage: result.usage,
          reasoningTokens: completion?.reasoningTokens ?? 0,
          truncated: completion?.finishReason === "length",
          mull: mullBody(result.metadata?.mull, result.usage),
        },
      });
    },
    encoder: (identity, request) => responseEvents({ identity, request, keep: (completion) => keep(request, identity, completion) }),
  };
}

/** Named events numbered in order, as the Responses stream numbers them. */
function sequenced() {
  let sequence = 0;
  return (type: string, data: Record<string, unknown>): ServerSentEvent => ({
    event: type,
    data: JSON.stringify({ type, sequence_number: sequence++, ...data }),
  });
}

/** A function call's events, whole: added, its arguments in one delta, done. */
function functionCallEvents(
  event: (type: string, data: Record<string, unknown>) => ServerSentEvent,
  index: number,
  item: ReturnType<typeof functionCallOutput>,
): ServerSentEvent[] {
  const at = { item_id: item.id, output_index: index };
  return [
    event("response.output_item.added", { output_index: index, item: { ...item, arguments: "", status: "in_progress" } }),
    event("response.function_call_arguments.delta", { ...at, delta: item.arguments }),
    event("response.function_call_arguments.done", { ...at, name: item.name, arguments: item.arguments }),
    event("response.output_item.done", { output_index: index, item }),
  ];
}

/**
 * The Responses API's stream: `response.created`, then each output item as it happens (reasoning, the message's
 * text deltas, function calls whole), then `response.completed` (or `response.incomplete`). Items open lazily, so
 * a reply that only calls a tool has no empty message.
 */
function responseEvents(options: { identity: ResponseIdentity; request: ResponsesRequest; keep: (completion: Completion) => void }): StreamEncoder {
  const { identity, request } = options;
  const ids = itemIds(identity);
  const event = sequenced();
  const output: OutputItem[] = [];
  let open: { kind: "message" | "reasoning"; id: string; text: string } | undefined;
  const completion: Completion = { text: "", finishReason: "stop", completionTokens: 0 };
  const at = () => ({ item_id: open?.id, output_index: output.length, content_index: 0 });
  // A model that thinks in its text (the embedded chat model) has its thinking split off as it streams.
  const splitter = createThinkingSplitter();
  const delta = (piece: { kind: "reasoning" | "text"; delta: string }): ServerSentEvent[] => {
    if (piece.kind === "reasoning") completion.reasoning = (completion.reasoning ?? "") + piece.delta;
    else completion.text += piece.delta;
    const events = openItem(piece.kind === "reasoning" ? "reasoning" : "message");
    if (open) open.text += piece.delta;
    const type = piece.kind === "reasoning" ? "response.reasoning_text.delta" : "response.output_text.delta";
    return [...events, event(type, { ...at(), delta: piece.delta, ...(piece.kind === "text" ? { logprobs: [] } : {}) })];
  };
  const close = (): ServerSentEvent[] => {
    if (!open) return [];
    const current = open;
    const events =
      current.kind === "message"
        ? [
            event("response.output_text.done", { ...at(), text: current.text, logprobs: [] }),
            event("response.content_part.done", { ...at(), part: outputText(current.text) }),
          ]
        : [event("response.reasoning_text.done", { ...at(), text: current.text })];
    const item = current.kind === "message" ? messageOutput(current.id, current.text, "completed") : reasoningOutput(current.id, current.text);
    events.push(event("response.output_item.done", { output_index: output.length, item }));
    output.push(item);
    open = undefined;
    return events;
  };
  const openItem = (kind: "message" | "reasoning"): ServerSentEvent[] => {
    if (open?.kind === kind) return [];
    const events = close();
    open = { kind, id: ids.next(kind === "message" ? "msg" : "rs"), text: "" };
    const item = kind === "message" ? messageOutput(open.id, "", "in_progress") : { type: "reasoning", id: open.id, summary: [], content: [] };
    events.push(event("response.output_item.added", { output_index: output.length, item }));
    if (kind === "message") events.push(event("response.content_part.added", { ...at(), part: outputText("") }));
    return events;
  };
  return {
    start: () => [
      event("response.created", { response: responseBody({ identity, request }) }),
      event("response.in_progress", { response: responseBody({ identity, request }) }),
    ],
    part(part) {
      if ("index" in part && part.index !== 0) return [];
      switch (part.type) {
        case "reasoning-delta":
        case "text-delta":
          return splitter.read(part).flatMap(delta);
        case "tool-call": {
          completion.toolCalls = [...(completion.toolCalls ?? []), part.toolCall];
          const events = [...splitter.flush().flatMap(delta), ...close()];
          const item = functionCallOutput(ids.next("fc"), part.toolCall, "completed");
          events.push(...functionCallEvents(event, output.length, item));
          output.push(item);
          return events;
        }
        case "completion-end":
          completion.finishReason = part.finishReason;
          completion.completionTokens = part.completionTokens;
          if (part.reasoningTokens !== undefined) completion.reasoningTokens = part.reasoningTokens;
          return [];
        case "end": {
          const events = splitter.flush().flatMap(delta);
          // A reply with neither text nor calls still has its (empty) message.
          if (output.length === 0 && !open) events.push(...openItem("message"));
          events.push(...close());
          options.keep(completion);
          const truncated = completion.finishReason === "length";
          const done = responseBody({
            identity,
            request,
            output,
            result: { usage: part.usage, reasoningTokens: completion.reasoningTokens ?? 0, truncated, mull: mullBody(part.metadata?.mull, part.usage) },
          });
          return [...events, event(truncated ? "response.incomplete" : "response.completed", { response: done })];
        }
        default:
          return [];
      }
    },
    error: (error) => [event("error", { ...toOpenAIError(error).body.error })],
    end: () => [],
  };
}
