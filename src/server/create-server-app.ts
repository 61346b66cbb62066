/**
 * The OpenAI-compatible HTTP API as a Hono app: `/v1/models`, `/v1/completions`, `/v1/chat/completions`,
 * streaming and not. A request names a strategy in the model id (`self-consistency/mull-tiny-policy`) or
 * in a `mull` body object; the response's `usage` counts everything the strategy spent and its `mull`
 * object carries the answer, confidence, stop reason, a summary of the candidates and the settings.
 */
import { type Context, Hono } from "hono";
import type { ZodType } from "zod";
import type { CallOptions, ChatMessage } from "../core/call-options.js";
import type { LanguageModel } from "../core/language-model.js";
import { createMull, defaults, type Mull } from "../runtime/create-mull.js";
import { invalidRequest, toOpenAIError } from "./openai-error.js";
import { type ChatRequest, type CompletionRequest, chatRequestSchema, completionRequestSchema } from "./request-schemas.js";
import { resolveRequestModel, type ServedModels } from "./resolve-request-model.js";
import type { Kind } from "./response-bodies.js";
import { jsonResponse, streamResponse } from "./send-response.js";

export type ServerAppOptions = {
  /** Base models by id; the first is the default for ids that name only a strategy. */
  models: Record<string, LanguageModel>;
  /** Resolves strategies and verifiers from specs. Defaults to a runtime of the built-in extensions. */
  mull?: Mull;
  /**
   * Verifier specs requests may use (`mull.verifier`); the first is the default for strategies that need
   * one. Defaults to `["prm"]` (the bundled PRM, loaded on first use).
   */
  verifiers?: string[];
};

export function createServerApp(options: ServerAppOptions): Hono {
  const mull = options.mull ?? createMull();
  const served: ServedModels = {
    mull,
    models: options.models,
    verifiers: (options.verifiers ?? [defaults.verifier]).map((spec) => mull.verifierSpec(spec)),
  };
  const app = new Hono();
  app.onError((error, context) => {
    const { status, body } = toOpenAIError(error);
    return context.json(body, status);
  });
  app.notFound((context) => context.json(invalidRequest(`no route ${context.req.method} ${context.req.path}`, null, 404).body, 404));
  app.get("/v1/models", (context) =>
    context.json({
      object: "list",
      data: Object.keys(options.models).flatMap((id) =>
        [id, ...mull.strategies.names.map((strategy) => `${strategy}/${id}`)].map((modelId) => ({
          id: modelId,
          object: "model",
          created: 0,
          owned_by: "mull",
        })),
      ),
    }),
  );
  app.post("/v1/completions", (context) => handle(served, context, "completion", completionRequestSchema as ZodType<CompletionRequest>));
  app.post("/v1/chat/completions", (context) => handle(served, context, "chat", chatRequestSchema as ZodType<ChatRequest>));
  return app;
}

async function handle(served: ServedModels, context: Context, kind: Kind, schema: ZodType<CompletionRequest | ChatRequest>) {
  const parsed = await parseBody(context, schema);
  if ("error" in parsed) return context.json(parsed.error.body, parsed.error.status);
  const request = parsed.request;
  const resolved = resolveRequestModel(served, request);
  if ("error" in resolved) return context.json(resolved.error.body, resolved.error.status);
  const controller = clientSignal(context);
  const call = toCallOptions(kind, request, controller.signal);
  const response = { kind, model: resolved.model, id: resolved.id, call, created: Math.floor(Date.now() / 1000), controller };
  const responseId = `${kind === "chat" ? "chatcmpl" : "cmpl"}-${crypto.randomUUID()}`;
  return request.stream ? streamResponse(context, { ...response, responseId }) : jsonResponse(context, { ...response, responseId });
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

function toCallOptions(kind: Kind, request: CompletionRequest | ChatRequest, abortSignal: AbortSignal): CallOptions {
  const stop = request.stop == null ? undefined : Array.isArray(request.stop) ? request.stop : [request.stop];
  const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  const prompt: string | ChatMessage[] =
    kind === "chat" ? ((request as ChatRequest).messages as ChatMessage[]) : (([] as string[]).concat((request as CompletionRequest).prompt)[0] as string);
  const wantsLogprobs = kind === "chat" ? (request as ChatRequest).logprobs === true : ((request as CompletionRequest).logprobs ?? 0) > 0;
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
    abortSignal,
  };
}

/** Aborts when the client goes away before the response is complete. */
function clientSignal(context: Context): AbortController {
  const controller = new AbortController();
  const outgoing = (context.env as { outgoing?: import("node:http").ServerResponse } | undefined)?.outgoing;
  outgoing?.on("close", () => {
    if (!outgoing.writableFinished) controller.abort(new DOMException("client disconnected", "AbortError"));
  });
  context.req.raw.signal?.addEventListener("abort", () => controller.abort(new DOMException("client disconnected", "AbortError")), { once: true });
  return controller;
}
