import type { CallOptions } from "../core/call-options.js";
import type { GenerateResult } from "../core/generate-result.js";
import type { LanguageModel } from "../core/language-model.js";
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
