import type { Strategy, StrategyResult } from "../core/strategy.js";
import { BudgetMeter } from "../internal/budget-meter.js";
import { extractAnswer as defaultExtractAnswer } from "../internal/extract-answer.js";
import { sampleCandidates, validateSampling } from "./sample-candidates.js";
import { createTrace, finishRun, majorityVote } from "./strategy-helpers.js";

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
  const { n, temperature } = validateSampling(options);
  return {
    name: "self-consistency",
    async run({ model, call, budget, abortSignal, extractAnswer = defaultExtractAnswer, onProgress }): Promise<StrategyResult> {
      const meter = new BudgetMeter({ ...(budget ? { budget } : {}), ...(abortSignal ? { abortSignal } : {}) });
      const { trace, add } = createTrace();
      const waveSize = options.waveSize ?? (budget ? Math.min(n, 4) : n);
      try {
        const { candidates, warnings } = await sampleCandidates({
          model,
          call,
          meter,
          n,
          waveSize,
          temperature,
          extractAnswer,
          onWave: (sampled) => {
            const tally = majorityVote(sampled);
            add("wave-end", { samples: sampled.length, votes: tally.votes });
            onProgress?.({
              type: "progress",
              message: `${sampled.length}/${n} samples, leader ${tally.answer ?? "none"} (${(100 * tally.confidence).toFixed(0)}%)`,
              usage: meter.usage(),
              data: { samples: sampled.length, votes: tally.votes },
            });
          },
        });
        const { answer, votes, confidence } = majorityVote(candidates);
        const chosen = candidates.find((candidate) => answer !== undefined && candidate.answer === answer);
        add("vote", { answer, votes });
        return finishRun({ strategy: "self-consistency", chosen, answer, confidence, candidates, votes, meter, abortSignal, trace, warnings });
      } finally {
        meter.dispose();
      }
    },
  };
}
