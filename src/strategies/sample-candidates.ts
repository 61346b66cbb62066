import type { CallOptions } from "../core/call-options.js";
import type { Candidate, StrategyRunOptions } from "../core/strategy.js";
import type { Warning } from "../core/warning.js";
import type { BudgetMeter } from "../internal/budget-meter.js";
import { meteredGenerate } from "../internal/metered-model.js";
import { isStopError, toCandidate } from "./strategy-helpers.js";

/**
 * Draws up to `n` candidates in waves of `waveSize` parallel samples, checking the budget between waves.
 * Stops early (returning what it has) when the budget runs out or the run is aborted.
 */
export async function sampleCandidates(options: {
  model: StrategyRunOptions["model"];
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
    const seed = call.seed !== undefined ? call.seed + wave * 104_729 : undefined;
    const result = await meteredGenerate({
      model,
      meter,
      call: { ...call, n: size, temperature, logprobs: call.logprobs ?? true, ...(seed !== undefined ? { seed } : {}) },
    }).catch((error: unknown) => {
      if (isStopError(error)) return undefined;
      throw error;
    });
    if (!result) break;
    for (const warning of result.warnings) if (!warnings.some((known) => JSON.stringify(known) === JSON.stringify(warning))) warnings.push(warning);
    for (const completion of result.completions) candidates.push(toCandidate(completion, extractAnswer));
    options.onWave?.(candidates);
  }
  return { candidates, warnings };
}
