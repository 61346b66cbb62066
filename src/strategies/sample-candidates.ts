import type { CallOptions } from "../core/call-options.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { Candidate, StrategyRunOptions } from "../core/strategy.js";
import type { Warning } from "../core/warning.js";
import type { BudgetMeter } from "../internal/budget-meter.js";
import { meteredGenerate } from "../internal/metered-model.js";
import { isStopError, mergeWarnings, toCandidate } from "./strategy-helpers.js";

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
    mergeWarnings(warnings, result.warnings);
    for (const completion of result.completions) candidates.push(toCandidate(completion, extractAnswer));
    options.onWave?.(candidates);
  }
  return { candidates, warnings };
}

/** Checks the options every sampling strategy shares; defaults: n 16, temperature 0.7. */
export function validateSampling(options: { n?: number; temperature?: number; waveSize?: number }): { n: number; temperature: number } {
  const n = options.n ?? 16;
  const temperature = options.temperature ?? 0.7;
  if (!Number.isInteger(n) || n < 1 || n > 1024)
    throw new InvalidArgumentError({ parameter: "n", value: n, message: `must be an integer from 1 to 1024, got ${n}` });
  if (!Number.isFinite(temperature) || temperature < 0)
    throw new InvalidArgumentError({ parameter: "temperature", value: temperature, message: "must be a number >= 0" });
  if (options.waveSize !== undefined && (!Number.isInteger(options.waveSize) || options.waveSize < 1))
    throw new InvalidArgumentError({ parameter: "waveSize", value: options.waveSize, message: "must be a positive integer" });
  return { n, temperature };
}
