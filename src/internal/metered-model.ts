import type { CallOptions } from "../core/call-options.js";
import type { GenerateResult } from "../core/generate-result.js";
import type { LanguageModel } from "../core/language-model.js";
import type { StreamPart } from "../core/stream-part.js";
import { mergeAbortSignals } from "./abort.js";
import type { BudgetMeter } from "./budget-meter.js";

/** Runs a model call under a budget meter: admitted first, maxTokens clamped, usage recorded, aborted with the run. */
export async function meteredGenerate(options: { model: LanguageModel; meter: BudgetMeter; call: CallOptions }): Promise<GenerateResult> {
  const { model, meter, call } = options;
  meter.admit();
  const maxTokens = meter.clampMaxTokens(call.maxTokens);
  const abortSignal = mergeAbortSignals(call.abortSignal, meter.signal);
  const result = await model.doGenerate({ ...call, ...(maxTokens !== undefined ? { maxTokens } : {}), ...(abortSignal ? { abortSignal } : {}) });
  meter.record(result.usage);
  return result;
}

/**
 * Streams a model call under a budget meter, yielding its parts; usage is recorded from the `end` part
 * (or, when the stream ends without one, from the completion tokens seen).
 */
export async function* meteredStream(options: { model: LanguageModel; meter: BudgetMeter; call: CallOptions }): AsyncGenerator<StreamPart> {
  const { model, meter, call } = options;
  meter.admit();
  const maxTokens = meter.clampMaxTokens(call.maxTokens);
  const abortSignal = mergeAbortSignals(call.abortSignal, meter.signal);
  const stream = await model.doStream({ ...call, ...(maxTokens !== undefined ? { maxTokens } : {}), ...(abortSignal ? { abortSignal } : {}) });
  const reader = stream.getReader();
  let recorded = false;
  let seenTokens = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (value.type === "completion-end") seenTokens += value.completionTokens;
      if (value.type === "end") {
        meter.record(value.usage);
        recorded = true;
      }
      if (value.type === "error") throw value.error;
      yield value;
    }
  } finally {
    if (!recorded) meter.record({ promptTokens: 0, completionTokens: seenTokens, calls: 0, wallMs: 0 });
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
