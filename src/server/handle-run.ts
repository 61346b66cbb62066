/**
 * The one request pipeline every protocol goes through: the body (parsed once) validated by the protocol's
 * schema, the model resolved through the runtime, the debugger's record, the run (whole, or streamed with any
 * refusal answered before the first byte), metrics and the key's spend, and errors as OpenAI-shaped bodies.
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { ZodType } from "zod";
import type { CallOptions } from "../core/call-options.js";
import type { GenerateResult } from "../core/generate-result.js";
import type { LanguageModel } from "../core/language-model.js";
import type { StrategyReport } from "../core/strategy.js";
import type { StreamPart } from "../core/stream-part.js";
import type { Usage } from "../core/usage.js";
import type { Warning } from "../core/warning.js";
import { countTokens, type MessagesRequest, messagesProtocol, messagesRequestSchema } from "./messages-protocol.js";
import { clientSignal, nodeOutgoing, streamToNode } from "./node-adapter.js";
import { invalidRequest, toOpenAIError } from "./openai-error.js";
import type { Protocol, RunTarget, ServerSentEvent, StreamEncoder } from "./protocol.js";
import { checkFields } from "./request-fields.js";

/** count_tokens takes a Messages request without `max_tokens`. */
const countTokensSchema = messagesRequestSchema.extend({ max_tokens: messagesRequestSchema.shape.max_tokens.optional() });

import { resolveRequestModel, type ServedModels } from "./resolve-request-model.js";
import { mullBody } from "./response-bodies.js";
import type { ServerEnv } from "./server-env.js";

/** How a response ended: its status, what it spent and the strategy's report, or the error. */
export type ResponseEnd = { status: number; usage?: Usage; strategy?: StrategyReport; error?: unknown };

/** A run about to be answered: the model, its call, the client's signal, and who hears what it spent and how it ended. */
type PendingRun = {
  model: LanguageModel;
  call: CallOptions;
  controller: AbortController;
  /** What the server says about the request itself (unknown fields), before the model's own warnings. */
  warnings: Warning[];
  onUsage: (usage: Usage, strategy: string | undefined) => void;
  onEnd?: ((end: ResponseEnd) => void) | undefined;
};

export async function handleRun<Request>(served: ServedModels, context: Context<ServerEnv>, protocol: Protocol<Request>) {
  const parsed = parseRequest(context, protocol.schema);
  if ("error" in parsed) return context.json(parsed.error.body, parsed.error.status);
  const { request } = parsed;
  const target = protocol.target(request);
  const streamed = protocol.streamed(request);
  const record = served.debug?.start({ route: context.req.path, model: target.model, stream: streamed });
  const refuse = (status: number, body: { error: { message: string } }) => {
    record?.end({ status, error: body.error.message });
    return context.json(body, status as 400);
  };
  let resolved: ReturnType<typeof resolveRequestModel>;
  try {
    resolved = resolveRequestModel(served, target, record?.part);
  } catch (error) {
    const { status, body } = toOpenAIError(error);
    return refuse(status, body);
  }
  if ("error" in resolved) return refuse(resolved.error.status, resolved.error.body);
  const refused = protocol.refuse(request, resolved.model);
  if (refused) return refuse(refused.status, refused.body);
  const fields = checkFields({
    fields: protocol.fields,
    request: request as Record<string, unknown>,
    model: resolved.model,
    strict: served.strictFields === true || target.mull?.strict === true,
    route: context.req.path,
  });
  if (fields.refused) return refuse(fields.refused.status, fields.refused.body);
  context.set("modelId", resolved.id);
  const controller = clientSignal(context);
  const identity = { id: protocol.responseId(), model: resolved.id, created: Math.floor(Date.now() / 1000) };
  const baseId = resolved.id.split("/").at(-1) ?? resolved.id;
  const apiKey = context.get("apiKey");
  const call = withThinking(protocol.toCall(request, controller.signal), target.mull);
  const run: PendingRun = {
    model: resolved.model,
    call: Object.keys(fields.forwarded).length > 0 ? { ...call, backendOptions: { ...call.backendOptions, "openai-compatible": fields.forwarded } } : call,
    warnings: fields.warnings,
    controller,
    onUsage: (usage, strategy) => {
      served.metrics?.tokens({ model: baseId, strategy: strategy ?? "none", usage });
      if (apiKey) served.keyRing?.spend(apiKey, usage.promptTokens + usage.completionTokens);
    },
    onEnd: record ? (end) => record.end(debugEnd(end)) : undefined,
  };
  if (streamed) return streamRun(context, run, protocol.encoder(identity, request));
  return context.json(await generateRun(run, (result) => protocol.toJson(result, identity, request)));
}

/** The `mull` object's thinking budget and minimum, on any route (they win over the protocol's own). */
function withThinking(call: CallOptions, mull: RunTarget["mull"]): CallOptions {
  return {
    ...call,
    ...(mull?.maxReasoningTokens !== undefined ? { maxReasoningTokens: mull.maxReasoningTokens } : {}),
    ...(mull?.minReasoningTokens !== undefined ? { minReasoningTokens: mull.minReasoningTokens } : {}),
  };
}

/** The body, validated; a bad one becomes an OpenAI-shaped 400 naming the field. */
function parseRequest<Request>(context: Context<ServerEnv>, schema: ZodType<Request>): { request: Request } | { error: ReturnType<typeof invalidRequest> } {
  const body = context.get("body");
  if (!body || "invalid" in body) return { error: invalidRequest("The body is not valid JSON") };
  const raw = body.json;
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { request: parsed.data };
  const issue = parsed.error.issues[0];
  const param = issue?.path.join(".") || null;
  // zod reports a missing union field as "Invalid input"; say what is wrong instead.
  const missing =
    issue !== undefined && issue.path.reduce<unknown>((value, key) => (value as Record<PropertyKey, unknown> | undefined)?.[key], raw) === undefined;
  return { error: invalidRequest(`Invalid request: ${param ?? "body"}: ${missing ? "is required" : (issue?.message ?? "invalid")}`, param) };
}

/** How a response ended, as the debugger shows it: the strategy's report summed up, the error's message. */
function debugEnd(end: ResponseEnd) {
  const strategy = end.strategy ? mullBody(end.strategy, end.usage ?? end.strategy.usage) : undefined;
  return {
    status: end.status,
    ...(end.usage ? { usage: end.usage } : {}),
    ...(end.error !== undefined ? { error: toOpenAIError(end.error).body.error.message } : {}),
    ...(strategy ? { strategy } : {}),
  };
}

/** A whole run as the protocol's body; a failure is rethrown for the app's error handler. */
async function generateRun(run: PendingRun, toJson: (result: GenerateResult) => Record<string, unknown>) {
  let result: GenerateResult;
  try {
    result = await run.model.doGenerate(run.call);
  } catch (error) {
    run.onEnd?.({ status: toOpenAIError(error).status, error });
    throw error;
  }
  const report = result.metadata?.mull;
  run.onUsage(result.usage, report?.strategy);
  run.onEnd?.({ status: 200, usage: result.usage, ...(report ? { strategy: report } : {}) });
  return toJson(run.warnings.length > 0 ? { ...result, warnings: [...run.warnings, ...result.warnings] } : result);
}

/**
 * A streamed run. The model's stream is opened and its first part read before anything is sent, so that a
 * request the model refuses is a real HTTP error an SDK can raise, not a 200 with an error event.
 */
async function streamRun(context: Context, run: PendingRun, encoder: StreamEncoder) {
  let reader: ReadableStreamDefaultReader<StreamPart>;
  let first: ReadableStreamReadResult<StreamPart>;
  try {
    reader = (await run.model.doStream(run.call)).getReader();
    first = await reader.read();
  } catch (error) {
    const { status, body } = toOpenAIError(error);
    run.onEnd?.({ status, error });
    return context.json(body, status);
  }
  if (!first.done && first.value.type === "error") {
    await reader.cancel().catch(() => {});
    const { status, body } = toOpenAIError(first.value.error);
    run.onEnd?.({ status, error: first.value.error });
    return context.json(body, status);
  }
  const pump = (write: (events: ServerSentEvent[]) => Promise<void> | void, closed: () => boolean) =>
    pumpEvents({ run, reader, first, encoder, write, closed });
  const outgoing = nodeOutgoing(context);
  if (outgoing) return streamToNode({ outgoing, pump, failed: (error) => [...encoder.error(error), ...encoder.end()] });
  return streamSSE(context, async (stream) => {
    stream.onAbort(() => run.controller.abort(new DOMException("client disconnected", "AbortError")));
    await pump(
      async (events) => {
        for (const event of events) await stream.writeSSE(event.event !== undefined ? { event: event.event, data: event.data } : { data: event.data });
      },
      () => stream.aborted,
    );
  });
}

/** Writes every part of the stream as the protocol's events, then its end. */
async function pumpEvents(options: {
  run: PendingRun;
  reader: ReadableStreamDefaultReader<StreamPart>;
  first: ReadableStreamReadResult<StreamPart>;
  encoder: StreamEncoder;
  write: (events: ServerSentEvent[]) => Promise<void> | void;
  closed: () => boolean;
}) {
  const { run, reader, encoder, write, closed } = options;
  try {
    await write(encoder.start());
    for (let step = options.first; !step.done && !closed(); step = await reader.read()) {
      const part = step.value;
      if (part.type === "error") {
        run.onEnd?.({ status: 200, error: part.error });
        await write(encoder.error(part.error));
        break;
      }
      if (part.type === "stream-start" && run.warnings.length > 0) {
        const events = encoder.part({ ...part, warnings: [...run.warnings, ...part.warnings] });
        if (events.length > 0) await write(events);
        continue;
      }
      if (part.type === "end") {
        const report = part.metadata?.mull;
        run.onUsage(part.usage, report?.strategy);
        run.onEnd?.({ status: 200, usage: part.usage, ...(report ? { strategy: report } : {}) });
      }
      const events = encoder.part(part);
      if (events.length > 0) await write(events);
    }
    if (!closed()) await write(encoder.end());
  } finally {
    // A client that left before the end (a no-op where the response ended already).
    if (run.controller.signal.aborted) {
      run.onEnd?.({ status: 499, error: new Error("the client disconnected") });
      await reader.cancel().catch(() => {});
    }
    reader.releaseLock();
  }
}

/**
 * `POST /v1/messages/count_tokens`: the prompt's tokens as the request's base model counts them (a strategy
 * counts as its model), from one call that generates a single token.
 */
export async function countMessageTokens(served: ServedModels, context: Context<ServerEnv>) {
  const parsed = parseRequest(context, countTokensSchema);
  if ("error" in parsed) return context.json(parsed.error.body, parsed.error.status);
  const request = { max_tokens: 1, ...parsed.request } as MessagesRequest;
  // The base model under a route or a `strategy/model` id: counting must not run the strategy.
  const baseId = served.routes?.[request.model]?.model ?? request.model.split("/").at(-1) ?? request.model;
  const model = served.models[baseId];
  if (!model) return context.json(invalidRequest(`The model ${JSON.stringify(request.model)} does not exist; see /v1/models`, "model", 404).body, 404);
  const refused = messagesProtocol.refuse(request, model);
  if (refused) return context.json(refused.body, refused.status);
  const controller = clientSignal(context);
  return context.json({ input_tokens: await countTokens(model, request, controller.signal) });
}
