import { MullError } from "../core/errors/mull-error.js";
import type { Usage } from "../core/usage.js";
import type { ModelMiddleware } from "./model-middleware.js";
import { observeStream } from "./observe-stream.js";

/**
 * One model call as the tracing middleware reports it. It holds no prompt, no completion text and no
 * credentials: only what the call was, how long it took, what it spent and how it ended.
 */
export type ModelCallRecord = {
  provider: string;
  modelId: string;
  operation: "generate" | "stream" | "score";
  /** Candidates asked for. */
  n: number;
  startedAt: number;
  durationMs: number;
  outcome: "ok" | "error" | "cancelled";
  /** What the call spent, where it reported it (a cancelled stream may not have). */
  usage?: Partial<Usage>;
  /** The error's class name, message and whether a retry may succeed. */
  error?: { name: string; message: string; isRetryable: boolean };
};

/** Reports each model call to `onCall` once it ends (a stream: when it is read to its end, fails or is cancelled). */
export function tracingMiddleware(settings: { onCall: (record: ModelCallRecord) => void }): ModelMiddleware {
  const report = (
    model: { provider: string; modelId: string },
    base: { operation: ModelCallRecord["operation"]; n: number; startedAt: number },
    end: { outcome: ModelCallRecord["outcome"]; usage?: Partial<Usage>; error?: unknown },
  ) => {
    const error = end.error === undefined ? undefined : describeError(end.error);
    settings.onCall({
      provider: model.provider,
      modelId: model.modelId,
      ...base,
      durationMs: Date.now() - base.startedAt,
      outcome: end.outcome,
      ...(end.usage ? { usage: end.usage } : {}),
      ...(error ? { error } : {}),
    });
  };
  /** A call that ends when its promise settles. */
  const traced = async <T extends { usage: Partial<Usage> }>(
    model: { provider: string; modelId: string },
    base: { operation: ModelCallRecord["operation"]; n: number },
    call: () => Promise<T>,
  ): Promise<T> => {
    const started = { ...base, startedAt: Date.now() };
    try {
      const result = await call();
      report(model, started, { outcome: "ok", usage: result.usage });
      return result;
    } catch (error) {
      report(model, started, { outcome: "error", error });
      throw error;
    }
  };
  return {
    name: "tracing",
    wrapGenerate: ({ options, next, model }) => traced(model, { operation: "generate", n: options.n ?? 1 }, () => next(options)),
    async wrapStream({ options, next, model }) {
      const base = { operation: "stream" as const, n: options.n ?? 1, startedAt: Date.now() };
      let usage: Usage | undefined;
      try {
        return observeStream(await next(options), {
          onPart(part) {
            if (part.type === "end") usage = part.usage;
          },
          onDone(done) {
            const outcome = done.state === "ended" ? "ok" : done.state === "cancelled" ? "cancelled" : "error";
            report(model, base, { outcome, ...(usage ? { usage } : {}), ...(done.state === "failed" ? { error: done.error } : {}) });
          },
        });
      } catch (error) {
        report(model, base, { outcome: "error", error });
        throw error;
      }
    },
    wrapScoreTokens: ({ options, next, model }) => traced(model, { operation: "score", n: options.offsets.length }, () => next(options)),
  };
}

function describeError(error: unknown): { name: string; message: string; isRetryable: boolean } {
  if (MullError.isInstance(error)) return { name: error.name, message: error.message, isRetryable: error.isRetryable };
  if (error instanceof Error) return { name: error.name, message: error.message, isRetryable: false };
  return { name: "Error", message: String(error), isRetryable: false };
}
