/**
 * The OpenAI-compatible HTTP API as a Hono app: `/v1/models`, `/v1/completions`, `/v1/chat/completions`,
 * streaming and not. A request names a strategy in the model id (`self-consistency/mull-tiny-policy`) or
 * in a `mull` body object; the response's `usage` counts everything the strategy spent and its `mull`
 * object carries the answer, confidence, stop reason and a summary of the candidates.
 */
import { type Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { ZodType } from "zod";
import type { CallOptions, ChatMessage } from "../core/call-options.js";
import type { GenerateResult, TokenLogprob } from "../core/generate-result.js";
import type { LanguageModel } from "../core/language-model.js";
import type { Budget, StrategyReport } from "../core/strategy.js";
import type { Usage } from "../core/usage.js";
import type { Verifier } from "../core/verifier.js";
import { createStrategy, type StrategySettings, strategyNames } from "../registry/strategies.js";
import { strategyModel } from "../strategies/strategy-model.js";
import { invalidRequest, toOpenAIError } from "./openai-error.js";
import { type ChatRequest, type CompletionRequest, chatRequestSchema, completionRequestSchema } from "./request-schemas.js";

export type ServerAppOptions = {
  /** Base models by id; the first is the default for ids that name only a strategy. */
  models: Record<string, LanguageModel>;
  /** Scores candidates for best-of-n and weighted-vote (e.g. the bundled PRM). Defaults to none. */
  verifier?: Verifier;
};

type Kind = "completion" | "chat";

const usageBody = (usage: Usage) => ({
  prompt_tokens: usage.promptTokens,
  completion_tokens: usage.completionTokens,
  total_tokens: usage.promptTokens + usage.completionTokens,
});

const mullBody = (report: StrategyReport | undefined, usage: Usage) =>
  report
    ? {
        strategy: report.strategy,
        answer: report.answer ?? null,
        confidence: report.confidence,
        stopReason: report.stopReason,
        votes: report.votes,
        candidates: report.candidates.map((candidate) => ({
          answer: candidate.answer ?? null,
          finishReason: candidate.finishReason,
          completionTokens: candidate.completionTokens,
          ...(candidate.score !== undefined ? { score: candidate.score } : {}),
        })),
        usage: { promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, calls: usage.calls, wallMs: usage.wallMs },
        ...(report.verifierTokens !== undefined ? { verifierTokens: report.verifierTokens } : {}),
        warnings: report.warnings,
      }
    : undefined;

/** OpenAI's two log-probability shapes: chat's `content` list, and the legacy completions arrays. */
function logprobsBody(kind: Kind, items: TokenLogprob[]) {
  if (kind === "chat") return { content: items.map((item) => ({ token: item.token, logprob: item.logprob, top_logprobs: item.topLogprobs ?? [] })) };
  const hasTop = items.some((item) => item.topLogprobs);
  return {
    tokens: items.map((item) => item.token),
    token_logprobs: items.map((item) => item.logprob),
    top_logprobs: hasTop ? items.map((item) => topLogprobsObject(item.topLogprobs ?? [])) : null,
    text_offset: [],
  };
}

/**
 * The legacy `{ text: logprob }` shape. Two tokens can decode to the same text (a character and its byte
 * fallback); the likelier one keeps the key, so an unlikely twin never overwrites it.
 */
function topLogprobsObject(top: { token: string; logprob: number }[]): Record<string, number> {
  const object: Record<string, number> = {};
  for (const { token, logprob } of top) if (!Object.hasOwn(object, token) || logprob > (object[token] ?? Number.NEGATIVE_INFINITY)) object[token] = logprob;
  return object;
}

export function createServerApp(options: ServerAppOptions): Hono {
  const baseIds = Object.keys(options.models);
  const app = new Hono();

  app.onError((error, context) => {
    const { status, body } = toOpenAIError(error);
    return context.json(body, status);
  });
  app.notFound((context) => context.json(invalidRequest(`no route ${context.req.method} ${context.req.path}`, null, 404).body, 404));

  app.get("/v1/models", (context) =>
    context.json({
      object: "list",
      data: baseIds.flatMap((id) =>
        [id, ...strategyNames.map((strategy) => `${strategy}/${id}`)].map((modelId) => ({ id: modelId, object: "model", created: 0, owned_by: "mull" })),
      ),
    }),
  );

  /** Resolves `strategy/model`, `model` or `strategy` plus the `mull` object into a model to call. */
  const resolve = (request: CompletionRequest | ChatRequest): { model: LanguageModel; id: string } | { error: ReturnType<typeof invalidRequest> } => {
    const parts = request.model.split("/");
    let strategyName = request.mull?.strategy;
    let baseId = request.model;
    if (parts.length >= 2 && strategyNames.includes(parts[0] as string)) {
      strategyName ??= parts[0];
      baseId = parts.slice(1).join("/");
    } else if (strategyNames.includes(request.model)) {
      strategyName ??= request.model;
      baseId = baseIds[0] as string;
    }
    const base = options.models[baseId];
    if (!base) return { error: invalidRequest(`The model ${JSON.stringify(request.model)} does not exist; see /v1/models`, "model", 404, "model_not_found") };
    if (strategyName === undefined) return { model: base, id: baseId };
    const { strategy: _name, budgetTokens: _tokens, budgetCalls: _calls, budgetMs: _ms, ...strategySettings } = request.mull ?? {};
    const mull = request.mull ?? {};
    // The schema admits only known settings; absent ones are left out (exactOptionalPropertyTypes).
    const settings = Object.fromEntries(Object.entries(strategySettings).filter(([, value]) => value !== undefined)) as StrategySettings;
    const strategy = createStrategy({ name: strategyName, settings: { ...settings, ...(options.verifier ? { verifier: options.verifier } : {}) } });
    const budget: Budget = {
      ...(mull.budgetTokens !== undefined ? { maxTokens: mull.budgetTokens } : {}),
      ...(mull.budgetCalls !== undefined ? { maxCalls: mull.budgetCalls } : {}),
      ...(mull.budgetMs !== undefined ? { maxWallMs: mull.budgetMs } : {}),
    };
    return { model: strategyModel({ strategy, model: base, ...(Object.keys(budget).length > 0 ? { budget } : {}) }), id: `${strategyName}/${baseId}` };
  };

  /** Aborts when the client goes away before the response is complete. */
  const clientSignal = (context: Context): AbortController => {
    const controller = new AbortController();
    const outgoing = (context.env as { outgoing?: import("node:http").ServerResponse } | undefined)?.outgoing;
    outgoing?.on("close", () => {
      if (!outgoing.writableFinished) controller.abort(new DOMException("client disconnected", "AbortError"));
    });
    context.req.raw.signal?.addEventListener("abort", () => controller.abort(new DOMException("client disconnected", "AbortError")), { once: true });
    return controller;
  };

  const handle = async (context: Context, kind: Kind, schema: ZodType<CompletionRequest | ChatRequest>) => {
    let raw: unknown;
    try {
      raw = await context.req.json();
    } catch {
      const { body, status } = invalidRequest("The body is not valid JSON");
      return context.json(body, status);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const param = issue?.path.join(".") || null;
      // zod reports a missing union field as "Invalid input"; say what is wrong instead.
      const missing =
        issue !== undefined && issue.path.reduce<unknown>((value, key) => (value as Record<PropertyKey, unknown> | undefined)?.[key], raw) === undefined;
      const { body, status } = invalidRequest(`Invalid request: ${param ?? "body"}: ${missing ? "is required" : (issue?.message ?? "invalid")}`, param);
      return context.json(body, status);
    }
    const request = parsed.data;
    const resolved = resolve(request);
    if ("error" in resolved) return context.json(resolved.error.body, resolved.error.status);
    const { model, id } = resolved;
    const controller = clientSignal(context);
    const stop = request.stop == null ? undefined : Array.isArray(request.stop) ? request.stop : [request.stop];
    const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? undefined;
    const prompt: string | ChatMessage[] =
      kind === "chat" ? ((request as ChatRequest).messages as ChatMessage[]) : (([] as string[]).concat((request as CompletionRequest).prompt)[0] as string);
    const wantsLogprobs = kind === "chat" ? (request as ChatRequest).logprobs === true : ((request as CompletionRequest).logprobs ?? 0) > 0;
    const topLogprobs = kind === "chat" ? ((request as ChatRequest).top_logprobs ?? 0) : ((request as CompletionRequest).logprobs ?? 0);
    const call: CallOptions = {
      prompt,
      ...(request.n != null ? { n: request.n } : {}),
      ...(request.temperature != null ? { temperature: request.temperature } : {}),
      ...(request.top_p != null ? { topP: request.top_p } : {}),
      ...(maxTokens != null ? { maxTokens } : {}),
      ...(stop ? { stop } : {}),
      ...(request.seed != null ? { seed: request.seed } : {}),
      ...(wantsLogprobs ? { logprobs: true, ...(topLogprobs > 0 ? { topLogprobs } : {}) } : {}),
      abortSignal: controller.signal,
    };
    const created = Math.floor(Date.now() / 1000);
    const responseId = `${kind === "chat" ? "chatcmpl" : "cmpl"}-${crypto.randomUUID()}`;
    if (request.stream) return streamResponse(context, { kind, model, id, call, created, responseId, controller });
    const result: GenerateResult = await model.doGenerate(call);
    const choices = result.completions.map((completion, index) => {
      const logprobs = completion.logprobs ? logprobsBody(kind, completion.logprobs) : null;
      return kind === "chat"
        ? { index, message: { role: "assistant", content: completion.text }, finish_reason: completion.finishReason, ...stopReason(completion), logprobs }
        : { index, text: completion.text, finish_reason: completion.finishReason, ...stopReason(completion), logprobs };
    });
    const mull = mullBody(result.strategy, result.usage);
    return context.json({
      id: responseId,
      object: kind === "chat" ? "chat.completion" : "text_completion",
      created,
      model: id,
      choices,
      usage: usageBody(result.usage),
      ...(mull ? { mull } : {}),
      ...(result.warnings.length > 0 ? { warnings: result.warnings } : {}),
    });
  };

  const streamResponse = (
    context: Context,
    {
      kind,
      model,
      id,
      call,
      created,
      responseId,
      controller,
    }: { kind: Kind; model: LanguageModel; id: string; call: CallOptions; created: number; responseId: string; controller: AbortController },
  ) =>
    streamSSE(context, async (stream) => {
      stream.onAbort(() => controller.abort(new DOMException("client disconnected", "AbortError")));
      const object = kind === "chat" ? "chat.completion.chunk" : "text_completion";
      const chunk = (body: Record<string, unknown>) => stream.writeSSE({ data: JSON.stringify({ id: responseId, object, created, model: id, ...body }) });
      const parts = await model.doStream(call);
      const reader = parts.getReader();
      try {
        for (;;) {
          const { value: part, done } = await reader.read();
          if (done) break;
          if (part.type === "text-delta") {
            const logprobs = part.logprobs ? logprobsBody(kind, part.logprobs) : null;
            await chunk({
              choices: [
                kind === "chat"
                  ? { index: part.index, delta: { role: "assistant", content: part.delta }, finish_reason: null, logprobs }
                  : { index: part.index, text: part.delta, finish_reason: null, logprobs },
              ],
            });
          } else if (part.type === "completion-end") {
            await chunk({
              choices: [
                kind === "chat"
                  ? { index: part.index, delta: {}, finish_reason: part.finishReason, ...stopReason(part) }
                  : { index: part.index, text: "", finish_reason: part.finishReason, ...stopReason(part) },
              ],
            });
          } else if (part.type === "progress") {
            // Progress while a strategy works: no choices, so OpenAI clients pass over it.
            await chunk({ choices: [], mull: { progress: part.message, usage: part.usage, ...(part.data ? { data: part.data } : {}) } });
          } else if (part.type === "end") {
            const mull = mullBody(part.strategy, part.usage);
            await chunk({ choices: [], usage: usageBody(part.usage), ...(mull ? { mull } : {}) });
          } else if (part.type === "error") {
            await stream.writeSSE({ data: JSON.stringify(toOpenAIError(part.error).body) });
            break;
          }
        }
        await stream.writeSSE({ data: "[DONE]" });
      } finally {
        if (controller.signal.aborted) await reader.cancel().catch(() => {});
        reader.releaseLock();
      }
    });

  app.post("/v1/completions", (context) => handle(context, "completion", completionRequestSchema as ZodType<CompletionRequest>));
  app.post("/v1/chat/completions", (context) => handle(context, "chat", chatRequestSchema as ZodType<ChatRequest>));
  return app;
}

/** vLLM's `stop_reason`: the stop string that ended a choice, or null for the end-of-text token; absent when unknown. */
function stopReason(completion: { stoppedBy?: "end-of-text" | "stop-sequence"; stopSequence?: string }): { stop_reason?: string | null } {
  if (completion.stoppedBy === "end-of-text") return { stop_reason: null };
  if (completion.stoppedBy === "stop-sequence" && completion.stopSequence !== undefined) return { stop_reason: completion.stopSequence };
  return {};
}
