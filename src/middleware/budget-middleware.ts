import type { CallOptions } from "../core/call-options.js";
import type { LanguageModel } from "../core/language-model.js";
import { mergeAbortSignals } from "../internal/abort.js";
import type { BudgetMeter, SpendSource } from "../internal/budget-meter.js";
import type { ModelMiddleware } from "./model-middleware.js";
import { observeStream } from "./observe-stream.js";

/**
 * Runs every call under a run's budget meter: admitted first (or `BudgetExhaustedError`), `maxTokens`
 * clamped to what is left, cancelled with the run, and its usage recorded, from a stream's `end` part
 * or, when a stream stops early, from the completion tokens it reported, at the model's own size and price.
 * Token scoring passes through: a verifier's tokens are counted apart from the policy's budget.
 */
export function budgetMiddleware(settings: {
  meter: BudgetMeter;
  /** `policy` for the run's own model, `model` for another a strategy calls. Defaults to `policy`. */
  role?: "policy" | "model";
}): ModelMiddleware {
  const { meter } = settings;
  const sourceOf = (model: LanguageModel): SpendSource => ({
    id: model.modelId,
    role: settings.role ?? "policy",
    ...(model.cost ? { cost: model.cost } : {}),
  });
  const admit = (options: CallOptions, source: SpendSource): CallOptions => {
    meter.admit(source);
    const maxTokens = meter.clampMaxTokens(options.maxTokens, source, options.n ?? 1);
    const abortSignal = mergeAbortSignals(options.abortSignal, meter.signal);
    return { ...options, ...(maxTokens !== undefined ? { maxTokens } : {}), ...(abortSignal ? { abortSignal } : {}) };
  };
  return {
    name: "budget",
    async wrapGenerate({ options, next, model }) {
      const source = sourceOf(model);
      const result = await next(admit(options, source));
      meter.record(result.usage, source);
      return result;
    },
    async wrapStream({ options, next, model }) {
      const source = sourceOf(model);
      const stream = await next(admit(options, source));
      let recorded = false;
      let seenTokens = 0;
      return observeStream(stream, {
        onPart(part) {
          if (part.type === "completion-end") seenTokens += part.completionTokens;
          if (part.type === "end") {
            meter.record(part.usage, source);
            recorded = true;
          }
        },
        onDone() {
          if (!recorded) meter.record({ promptTokens: 0, completionTokens: seenTokens, calls: 0, wallMs: 0 }, source);
        },
      });
    },
  };
}
