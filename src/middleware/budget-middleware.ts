import type { CallOptions } from "../core/call-options.js";
import { mergeAbortSignals } from "../internal/abort.js";
import type { BudgetMeter } from "../internal/budget-meter.js";
import type { ModelMiddleware } from "./model-middleware.js";
import { observeStream } from "./observe-stream.js";

/**
 * Runs every call under a run's budget meter: admitted first (or `BudgetExhaustedError`), `maxTokens`
 * clamped to what is left, cancelled with the run, and its usage recorded, from a stream's `end` part
 * or, when a stream stops early, from the completion tokens it reported. Token scoring passes through:
 * a verifier's tokens are counted apart from the policy's budget.
 */
export function budgetMiddleware(settings: { meter: BudgetMeter }): ModelMiddleware {
  const { meter } = settings;
  const admit = (options: CallOptions): CallOptions => {
    meter.admit();
    const maxTokens = meter.clampMaxTokens(options.maxTokens);
    const abortSignal = mergeAbortSignals(options.abortSignal, meter.signal);
    return { ...options, ...(maxTokens !== undefined ? { maxTokens } : {}), ...(abortSignal ? { abortSignal } : {}) };
  };
  return {
    name: "budget",
    async wrapGenerate({ options, next }) {
      const result = await next(admit(options));
      meter.record(result.usage);
      return result;
    },
    async wrapStream({ options, next }) {
      const stream = await next(admit(options));
      let recorded = false;
      let seenTokens = 0;
      return observeStream(stream, {
        onPart(part) {
          if (part.type === "completion-end") seenTokens += part.completionTokens;
          if (part.type === "end") {
            meter.record(part.usage);
            recorded = true;
          }
        },
        onDone() {
          if (!recorded) meter.record({ promptTokens: 0, completionTokens: seenTokens, calls: 0, wallMs: 0 });
        },
      });
    },
  };
}
