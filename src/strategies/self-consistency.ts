import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { Candidate, Strategy, StrategyResult } from "../core/strategy.js";
import type { Warning } from "../core/warning.js";
import { BudgetMeter } from "../internal/budget-meter.js";
import { extractAnswer as defaultExtractAnswer } from "../internal/extract-answer.js";
import { meteredGenerate } from "../internal/metered-model.js";
import { createTrace, isStopError, majorityVote, stopReasonOf, toCandidate } from "./strategy-helpers.js";

export type SelfConsistencyOptions = {
  /** Samples to draw. Defaults to `16`. */
  n?: number;
  /** Sampling temperature. Defaults to `0.7`. */
  temperature?: number;
  /**
   * Samples per backend call. Between waves the budget is checked, so smaller waves stop closer to a
   * budget. Defaults to `n` without a budget and `4` with one.
   */
  waveSize?: number;
};

/** Samples n solutions in parallel, extracts answers and returns the majority (Wang et al., 2022). */
export function createSelfConsistency(options: SelfConsistencyOptions = {}): Strategy {
  const n = options.n ?? 16;
  const temperature = options.temperature ?? 0.7;
  if (!Number.isInteger(n) || n < 1 || n > 1024)
    throw new InvalidArgumentError({ parameter: "n", value: n, message: `must be an integer from 1 to 1024, got ${n}` });
  if (!Number.isFinite(temperature) || temperature < 0)
    throw new InvalidArgumentError({ parameter: "temperature", value: temperature, message: "must be a number >= 0" });
  if (options.waveSize !== undefined && (!Number.isInteger(options.waveSize) || options.waveSize < 1))
    throw new InvalidArgumentError({ parameter: "waveSize", value: options.waveSize, message: "must be a positive integer" });
  return {
    name: "self-consistency",
    async run({ model, call, budget, abortSignal, extractAnswer = defaultExtractAnswer, onProgress }): Promise<StrategyResult> {
      const meter = new BudgetMeter({ ...(budget ? { budget } : {}), ...(abortSignal ? { abortSignal } : {}) });
      const { trace, add } = createTrace();
      const waveSize = options.waveSize ?? (budget ? Math.min(n, 4) : n);
      const candidates: Candidate[] = [];
      const warnings: Warning[] = [];
      try {
        let wave = 0;
        while (candidates.length < n && !meter.signal.aborted) {
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
          for (const completion of result.completions) {
            const candidate = toCandidate(completion, extractAnswer);
            candidates.push(candidate);
            add("candidate-end", {
              index: candidates.length - 1,
              answer: candidate.answer,
              finishReason: candidate.finishReason,
              completionTokens: candidate.completionTokens,
            });
          }
          const tally = majorityVote(candidates);
          onProgress?.({
            type: "progress",
            message: `${candidates.length}/${n} samples, leader ${tally.answer ?? "none"} (${(100 * tally.confidence).toFixed(0)}%)`,
            usage: meter.usage(),
            data: { samples: candidates.length, votes: tally.votes },
          });
          wave++;
        }
        const { answer, votes, confidence } = majorityVote(candidates);
        const chosen = candidates.find((candidate) => answer !== undefined && candidate.answer === answer);
        add("vote", { answer, votes });
        return {
          strategy: "self-consistency",
          text: chosen?.text ?? "",
          answer,
          confidence,
          stopReason: candidates.length >= n && !meter.exhaustedBy ? "completed" : (stopReasonOf(meter, abortSignal) ?? "completed"),
          candidates,
          votes,
          usage: meter.usage(),
          trace,
          warnings,
        };
      } finally {
        meter.dispose();
      }
    },
  };
}
