import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { Strategy, StrategyResult } from "../core/strategy.js";
import { BudgetMeter } from "../internal/budget-meter.js";
import { extractAnswer as defaultExtractAnswer } from "../internal/extract-answer.js";
import { meteredGenerate } from "../internal/metered-model.js";
import { createTrace, finishRun, isStopError, toCandidate } from "./strategy-helpers.js";

export type SingleOptions = {
  /** Sampling temperature. Defaults to `0` (greedy). */
  temperature?: number;
};

/** One completion, greedy by default: the baseline every other strategy is measured against. */
export function createSingle(options: SingleOptions = {}): Strategy {
  const temperature = options.temperature;
  if (temperature !== undefined && (!Number.isFinite(temperature) || temperature < 0))
    throw new InvalidArgumentError({ parameter: "temperature", value: temperature, message: "must be a number >= 0" });
  return {
    name: "single",
    async run({ model, call, budget, abortSignal, extractAnswer = defaultExtractAnswer, onProgress }): Promise<StrategyResult> {
      const meter = new BudgetMeter({ ...(budget ? { budget } : {}), ...(abortSignal ? { abortSignal } : {}) });
      const { trace, add } = createTrace();
      try {
        const result = await meteredGenerate({
          model,
          meter,
          call: { ...call, n: 1, temperature: temperature ?? call.temperature ?? 0, logprobs: call.logprobs ?? true },
        }).catch((error: unknown) => {
          if (isStopError(error)) return undefined;
          throw error;
        });
        const candidates = result ? result.completions.map((completion) => toCandidate(completion, extractAnswer)) : [];
        const chosen = candidates[0];
        add("candidate-end", { answer: chosen?.answer, completionTokens: chosen?.completionTokens });
        onProgress?.({ type: "progress", message: "candidate finished", usage: meter.usage() });
        const answer = chosen?.answer;
        return finishRun({
          strategy: "single",
          chosen,
          confidence: answer === undefined ? 0 : chosen?.meanLogprob !== undefined ? Math.exp(chosen.meanLogprob) : 1,
          candidates,
          meter,
          abortSignal,
          trace,
          warnings: result?.warnings ?? [],
        });
      } finally {
        meter.dispose();
      }
    },
  };
}
