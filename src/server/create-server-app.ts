/**
 * The OpenAI-compatible HTTP API as a Hono app: `/v1/models`, `/v1/completions`, `/v1/chat/completions`,
 * streaming and not. A request names a strategy in the model id (`<strategy>/mull-tiny-policy`) or
 * in a `mull` body object; the response's `usage` counts everything the strategy spent and its `mull`
 * object carries the answer, confidence, stop reason, a summary of the candidates and the settings.
 */
import { type Context, Hono } from "hono";
import type { ZodType } from "zod";
import type { CallOptions, ChatMessage } from "../core/call-options.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { LanguageModel } from "../core/language-model.js";
import type { ResponseFormat, ToolChoice, ToolDefinition } from "../core/tools.js";
import type { Usage } from "../core/usage.js";
import { tracingMiddleware } from "../middleware/tracing-middleware.js";
import { wrapModel } from "../middleware/wrap-model.js";
import { createMull, defaults, type Mull } from "../runtime/create-mull.js";
import { type ApiKey, createKeyRing } from "./api-keys.js";
import { createDebugRecorder, type DebugRecorder } from "./debug-recorder.js";
import { addDebugRoutes } from "./debug-routes.js";
import { invalidRequest, toOpenAIError } from "./openai-error.js";
import { requestBodyLimit, requestLifecycle } from "./request-lifecycle.js";
import { type ChatRequest, type CompletionRequest, chatRequestSchema, completionRequestSchema } from "./request-schemas.js";
import { resolveRequestModel, type ServedModels } from "./resolve-request-model.js";
import { type Kind, mullBody } from "./response-bodies.js";
import { handleResponses } from "./responses-route.js";
import { jsonResponse, type ResponseEnd, streamResponse } from "./send-response.js";
import type { Route } from "./server-config.js";
import type { ServerEnv, ServerLifecycle, ServerLogger } from "./server-env.js";
import { createServerMetrics, type ServerMetrics } from "./server-metrics.js";

export type { ServerLifecycle, ServerLogger } from "./server-env.js";

export type ServerAppOptions = {
  /** Base models by id; the first is the default for ids that name only a strategy. */
  models: Record<string, LanguageModel>;
  /** Resolves strategies and verifiers from specs. Defaults to a runtime of the built-in extensions. */
  mull?: Mull;
  /**
   * Verifier specs requests may use (`mull.verifier`), as a list or by name; the first is the default for
   * strategies that need one. Defaults to `["prm"]` (the bundled PRM, loaded on first use).
   */
  verifiers?: string[] | Record<string, string>;
  /** Public model names bound to a strategy, a model of `models`, a verifier and a budget. Defaults to none. */
  routes?: Record<string, Route>;
  /** Shared with the process that serves the app: whether it is draining, and the requests in flight. Defaults to a fresh one. */
  lifecycle?: ServerLifecycle;
  /** Prometheus metrics, served at `/metrics`. Defaults to a fresh set; `false` serves none. */
  metrics?: ServerMetrics | false;
  /** API keys every `/v1` request must carry (see `ApiKey`). Defaults to none: the server is open. */
  keys?: readonly ApiKey[];
  /**
   * The live debugger at `/debug`: recent requests and each one's strategy timeline, live. Off by default;
   * `true` keeps the last 100 requests (prompts are never kept; where the server has keys, it needs one).
   */
  debug?: boolean | DebugRecorder;
  /** The largest request body taken, in bytes; a larger one is a 413. Defaults to 8 MiB. */
  maxBodyBytes?: number;
  /** Where a line per request goes (pino, or anything with its `info` and `error`). Defaults to none. */
  logger?: ServerLogger;
  /**
   * Options by strategy name that strategies run with where a spec leaves them out, set by the operator (a
   * request may not name files): `{ "<strategy>": { "<option>": value } }`, e.g. a tuned profile a strategy reads.
   * Checked at start. Defaults to none.
   */
  strategyDefaults?: Record<string, Record<string, unknown>>;
};

export function createServerApp(options: ServerAppOptions): Hono<ServerEnv> {
  const mull = options.mull ?? createMull();
  const verifierNames = Array.isArray(options.verifiers)
    ? undefined
    : Object.fromEntries(Object.entries(options.verifiers ?? {}).map(([name, spec]) => [name, mull.verifierSpec(spec)]));
  const verifierSpecs = Array.isArray(options.verifiers) ? options.verifiers : Object.values(options.verifiers ?? {});
  const routes = options.routes ?? {};
  checkRoutes(mull, routes, options.models);
  checkStrategyDefaults(mull, options.strategyDefaults ?? {});
  const metrics = options.metrics === false ? undefined : (options.metrics ?? createServerMetrics());
  // Each served model's calls are counted, failures by class (an upstream's 5xx, a timeout), after its own retries.
  const models = metrics
    ? Object.fromEntries(
        Object.entries(options.models).map(([id, model]) => [
          id,
          wrapModel({ model, middleware: [tracingMiddleware({ onCall: (record) => metrics.modelCall(id, record) })] }),
        ]),
      )
    : options.models;
  const served: ServedModels = {
    mull,
    models,
    verifiers: (verifierSpecs.length > 0 ? verifierSpecs : [defaults.verifier]).map((spec) => mull.verifierSpec(spec)),
    verifierNames,
    routes,
    metrics,
    strategyDefaults: options.strategyDefaults,
  };
  const lifecycle = options.lifecycle ?? { draining: false, inFlight: 0 };
  const app = new Hono<ServerEnv>();
  app.use(requestLifecycle({ lifecycle, metrics, logger: options.logger }));
  const keyRing = options.keys && options.keys.length > 0 ? createKeyRing(options.keys) : undefined;
  served.keyRing = keyRing;
  app.use("/v1/*", requestBodyLimit(options.maxBodyBytes ?? 8 * 1024 * 1024));
  if (keyRing) app.use("/v1/*", (context, next) => requireKey(keyRing, context, next));
  const debug = options.debug === true ? createDebugRecorder() : options.debug || undefined;
  served.debug = debug;
  if (debug) addDebugRoutes(app, debug, keyRing);
  if (metrics) app.get("/metrics", async (context) => context.text(await metrics.render(), 200, { "content-type": metrics.registry.contentType }));
  app.get("/healthz", (context) => context.json({ status: "ok" }));
  app.get("/readyz", (context) => (lifecycle.draining ? context.json({ status: "draining" }, 503) : context.json({ status: "ready" })));
  app.onError((error, context) => {
    const { status, body } = toOpenAIError(error);
    // The error's text can hold a model's words or an upstream's body, never a key (those are redacted where they arise).
    if (status >= 500) options.logger?.error({ status, type: body.error.type, error: body.error.message, path: context.req.path }, "request failed");
    return context.json(body, status);
  });
  app.notFound((context) => context.json(invalidRequest(`no route ${context.req.method} ${context.req.path}`, null, 404).body, 404));
  app.get("/v1/models", (context) =>
    context.json({
      object: "list",
      data: [...Object.keys(routes), ...Object.keys(options.models).flatMap((id) => [id, ...mull.strategies.names.map((strategy) => `${strategy}/${id}`)])].map(
        (modelId) => ({ id: modelId, object: "model", created: 0, owned_by: "mull" }),
      ),
    }),
  );
  app.get("/v1/models/:id{.+}", (context) => {
    const id = context.req.param("id");
    const [strategy, base] = id.includes("/") ? (id.split("/", 2) as [string, string]) : [undefined, id];
    const known = id in routes || (base in options.models && (strategy === undefined || mull.strategies.has(strategy)));
    if (!known)
      return context.json(invalidRequest(`The model ${JSON.stringify(id)} does not exist; see /v1/models`, "model", 404, "model_not_found").body, 404);
    return context.json({ id, object: "model", created: 0, owned_by: "mull" });
  });
  app.post("/v1/completions", (context) => handle(served, context, "completion", completionRequestSchema as ZodType<CompletionRequest>));
  app.post("/v1/responses", (context) => handleResponses(served, context, clientSignal(context).signal));
  app.post("/v1/chat/completions", (context) => handle(served, context, "chat", chatRequestSchema as ZodType<ChatRequest>));
  return app;
}

/** Every route names a served model and a valid strategy spec: a bad one fails at start, not on its first request. */
function checkRoutes(mull: Mull, routes: Record<string, Route>, models: Record<string, LanguageModel>): void {
  for (const [name, route] of Object.entries(routes)) {
    if (!(route.model in models))
      throw new InvalidArgumentError({
        parameter: `routes.${name}.model`,
        value: route.model,
        message: `no served model is named ${JSON.stringify(route.model)}`,
      });
    const { definition, input } = mull.parseStrategy(route.strategy);
    definition.parseOptions(input);
  }
}

/** Each strategy default names a strategy and valid options (files it names are read now): a bad one fails at start. */
function checkStrategyDefaults(mull: Mull, strategyDefaults: Record<string, Record<string, unknown>>): void {
  for (const [name, options] of Object.entries(strategyDefaults)) {
    const definition = mull.strategies.get(name);
    definition.verifierNeed(definition.parseOptions(options));
  }
}

async function handle(served: ServedModels, context: Context<ServerEnv>, kind: Kind, schema: ZodType<CompletionRequest | ChatRequest>) {
  const parsed = await parseBody(context, schema);
  if ("error" in parsed) return context.json(parsed.error.body, parsed.error.status);
  const request = parsed.request;
  const record = served.debug?.start({ route: context.req.path, model: request.model, stream: request.stream === true });
  const refuse = (status: number, body: { error: { message: string } }) => {
    record?.end({ status, error: body.error.message });
    return context.json(body, status as 400);
  };
  let resolved: ReturnType<typeof resolveRequestModel>;
  try {
    resolved = resolveRequestModel(served, request, record?.part);
  } catch (error) {
    const { status, body } = toOpenAIError(error);
    return refuse(status, body);
  }
  if ("error" in resolved) return refuse(resolved.error.status, resolved.error.body);
  const unsupported = unsupportedField(kind, request, resolved.model);
  if (unsupported) return refuse(unsupported.status, unsupported.body);
  context.set("modelId", resolved.id);
  const controller = clientSignal(context);
  const call = toCallOptions(kind, request, controller.signal);
  const response = { kind, model: resolved.model, id: resolved.id, call, created: Math.floor(Date.now() / 1000), controller };
  const responseId = `${kind === "chat" ? "chatcmpl" : "cmpl"}-${crypto.randomUUID()}`;
  const baseId = resolved.id.split("/").at(-1) ?? resolved.id;
  const apiKey = context.get("apiKey");
  const onUsage = (usage: Usage, strategy: string | undefined) => {
    served.metrics?.tokens({ model: baseId, strategy: strategy ?? "none", usage });
    if (apiKey) served.keyRing?.spend(apiKey, usage.promptTokens + usage.completionTokens);
  };
  const pending = {
    ...response,
    responseId,
    includeUsage: request.stream_options?.include_usage === true,
    onUsage,
    ...(record ? { onEnd: (end: ResponseEnd) => record.end(debugEnd(end)) } : {}),
  };
  return request.stream ? streamResponse(context, pending) : jsonResponse(context, pending);
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

/** The body, validated; a bad one becomes an OpenAI-shaped 400 naming the field. */
async function parseBody(
  context: Context,
  schema: ZodType<CompletionRequest | ChatRequest>,
): Promise<{ request: CompletionRequest | ChatRequest } | { error: ReturnType<typeof invalidRequest> }> {
  let raw: unknown;
  try {
    raw = await context.req.json();
  } catch {
    return { error: invalidRequest("The body is not valid JSON") };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { request: parsed.data };
  const issue = parsed.error.issues[0];
  const param = issue?.path.join(".") || null;
  // zod reports a missing union field as "Invalid input"; say what is wrong instead.
  const missing =
    issue !== undefined && issue.path.reduce<unknown>((value, key) => (value as Record<PropertyKey, unknown> | undefined)?.[key], raw) === undefined;
  return { error: invalidRequest(`Invalid request: ${param ?? "body"}: ${missing ? "is required" : (issue?.message ?? "invalid")}`, param) };
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
    ...(wantsLogprobs ? { logprobs: true, ...(topLogprobs > 0 ? { topLogprobs } : {}) } : {}),
    ...toolOptions(request as ChatRequest),
    abortSignal,
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

/** Aborts when the client goes away before the response is complete. */
function clientSignal(context: Context): AbortController {
  const controller = new AbortController();
  const outgoing = (context.env as { outgoing?: import("node:http").ServerResponse } | undefined)?.outgoing;
  if (outgoing)
    outgoing.on("close", () => {
      if (!outgoing.writableFinished) controller.abort(new DOMException("client disconnected", "AbortError"));
    });
  // Only without Node's response: undici's fetch keeps a Request's signal, and all its listeners reach, until
  // the Request is collected, so a listener on it that reaches the response kept every request alive.
  else followAbort(context.req.raw.signal, controller);
  return controller;
}

function followAbort(signal: AbortSignal | undefined, controller: AbortController): void {
  signal?.addEventListener("abort", () => controller.abort(new DOMException("client disconnected", "AbortError")), { once: true });
}

/**
 * Lets a `/v1` request through only with a valid key allowed its model, within its rate and its day's
 * tokens; otherwise an OpenAI-shaped 401, 403 or 429 (with `retry-after`). The model is read from the body
 * (or the path, for `GET /v1/models/{id}`) without consuming it for the handler.
 */
async function requireKey(keyRing: ReturnType<typeof createKeyRing>, context: Context<ServerEnv>, next: () => Promise<void>) {
  let model: string | undefined;
  if (context.req.method === "POST") {
    const body = (await context.req.raw
      .clone()
      .json()
      .catch(() => undefined)) as { model?: unknown } | undefined;
    model = typeof body?.model === "string" ? body.model : undefined;
  }
  const checked = keyRing.check(context.req.header("authorization"), model);
  if (!checked.ok) {
    const type = checked.status === 429 ? "rate_limit_error" : checked.status === 401 ? "authentication_error" : "permission_error";
    if (checked.retryAfterSeconds !== undefined) context.header("retry-after", String(checked.retryAfterSeconds));
    return context.json({ error: { message: checked.message, type, param: null, code: checked.code } }, checked.status);
  }
  context.set("apiKey", checked.key);
  await next();
  return undefined;
}
