import type { CallOptions } from "../core/call-options.js";
import type { LanguageModel } from "../core/language-model.js";
import type { Candidate } from "../core/strategy-report.js";
import type { Warning } from "../core/warning.js";
import type { BudgetMeter } from "../internal/budget-meter.js";
import { meteredGenerate } from "../internal/metered-model.js";
import { mergeWarnings } from "./merge-warnings.js";
import { seedAt, waveSeedStride } from "./seeds.js";
import { isStopError } from "./stop-error.js";
import { toCandidate } from "./to-candidate.js";

/**
 * Draws up to `n` candidates in waves of `waveSize` parallel samples, checking the budget between waves.
 * Stops early (returning what it has) when the budget runs out or the run is aborted.
 */
export async function sampleCandidates(options: {
  model: LanguageModel;
  call: Omit<CallOptions, "n" | "abortSignal">;
  meter: BudgetMeter;
  n: number;
  waveSize: number;
  temperature: number;
  extractAnswer: (text: string) => string | undefined;
  onWave?: (candidates: Candidate[]) => void;
}): Promise<{ candidates: Candidate[]; warnings: Warning[] }> {
  const { model, call, meter, n, waveSize, temperature, extractAnswer } = options;
  const candidates: Candidate[] = [];
  const warnings: Warning[] = [];
  for (let wave = 0; candidates.length < n && !meter.signal.aborted; wave++) {
    const size = Math.min(waveSize, n - candidates.length);
    const seed = seedAt(call.seed, wave, waveSeedStride);
    const result = await meteredGenerate({
      model,
      meter,
      call: { ...call, n: size, temperature, logprobs: call.logprobs ?? true, ...(seed !== undefined ? { seed } : {}) },
    }).catch((error: unknown) => {
      if (isStopError(error)) return undefined;
      throw error;
    });
    if (!result) break;
    mergeWarnings(warnings, result.warnings);
    for (const completion of result.completions) candidates.push(toCandidate(completion, extractAnswer));
    options.onWave?.(candidates);
  }
  return { candidates, warnings };
}
