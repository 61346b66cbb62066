/**
 * The OpenAI-compatible HTTP API as a Hono app: `/v1/models`, `/v1/completions`, `/v1/chat/completions`,
 * streaming and not. A request names a strategy in the model id (`<strategy>/mull-tiny-policy`) or
 * in a `mull` body object; the response's `usage` counts everything the strategy spent and its `mull`
 * object carries the answer, confidence, stop reason, a summary of the candidates and the settings.
 */
import { Hono } from "hono";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { LanguageModel } from "../core/language-model.js";
import { tracingMiddleware } from "../middleware/tracing-middleware.js";
import { wrapModel } from "../middleware/wrap-model.js";
import { createMull, defaults, type Mull } from "../runtime/create-mull.js";
import { anthropicErrors } from "./anthropic-errors.js";
import { type ApiKey, createKeyRing } from "./api-keys.js";
import { chatProtocol } from "./chat-protocol.js";
import { completionsProtocol } from "./completions-protocol.js";
import { createDebugRecorder, type DebugRecorder } from "./debug-recorder.js";
import { addDebugRoutes } from "./debug-routes.js";
import { countMessageTokens, handleRun } from "./handle-run.js";
import { messagesProtocol } from "./messages-protocol.js";
import { invalidRequest, toOpenAIError } from "./openai-error.js";
import { readBody } from "./read-body.js";
import { requestBodyLimit, requestLifecycle } from "./request-lifecycle.js";
import { requireKey } from "./require-key.js";
import type { ServedModels } from "./resolve-request-model.js";
import { createResponseStore } from "./response-store.js";
import { createResponsesProtocol } from "./responses-protocol.js";
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
  /**
   * Request fields mull does not know are a 400 naming the field, rather than a warning (and, for an upstream,
   * forwarded as its extension). A request may ask for it itself with `mull.strict`. Defaults to `false`.
   */
  strictFields?: boolean;
  /**
   * How long `/v1/responses` keeps an answered response for `previous_response_id`, in memory, in milliseconds; `0`
   * keeps none (a request naming one is refused). Defaults to `3600000` (an hour), at most 10,000 responses.
   */
  responseStoreTtlMs?: number;
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
    strictFields: options.strictFields === true,
  };
  const responsesProtocol = createResponsesProtocol(createResponseStore({ ttlMs: options.responseStoreTtlMs ?? 3_600_000 }));
  const lifecycle = options.lifecycle ?? { draining: false, inFlight: 0 };
  const app = new Hono<ServerEnv>();
  app.use(requestLifecycle({ lifecycle, metrics, logger: options.logger }));
  const keyRing = options.keys && options.keys.length > 0 ? createKeyRing(options.keys) : undefined;
  served.keyRing = keyRing;
  // Anthropic's routes answer errors in its shape, whichever layer refuses.
  app.use("/v1/messages", anthropicErrors);
  app.use("/v1/messages/*", anthropicErrors);
  app.use("/v1/*", requestBodyLimit(options.maxBodyBytes ?? 8 * 1024 * 1024));
  app.use("/v1/*", readBody);
  if (keyRing) app.use("/v1/*", requireKey(keyRing));
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
  // One pipeline, one adapter per protocol (`protocol.ts`).
  app.post("/v1/completions", (context) => handleRun(served, context, completionsProtocol));
  app.post("/v1/responses", (context) => handleRun(served, context, responsesProtocol));
  app.post("/v1/chat/completions", (context) => handleRun(served, context, chatProtocol));
  app.post("/v1/messages", (context) => handleRun(served, context, messagesProtocol));
  app.post("/v1/messages/count_tokens", (context) => countMessageTokens(served, context));
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
