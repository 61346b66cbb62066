/**
 * Repeated sampling with coverage (Large Language Monkeys): draw n, select by the verifier, and report
 * coverage (unbiased pass@k) when the verifier is an oracle.
 */
import { z } from "zod";
import { defineStrategy } from "../../extension/define-strategy.js";
import { passAtK } from "../../internal/statistics.js";
import { highestScored } from "../majority-vote.js";
import { samplesOption, temperatureOption, waveSizeOption } from "../sampling-options.js";
import { sampleAndScore } from "./sample-and-score.js";

export const repeatedSampling = defineStrategy({
  name: "repeated-sampling",
  description: "Draws n samples and selects by the verifier; with an oracle, reports coverage (pass@k)",
  options: z.strictObject({
    n: samplesOption(16),
    temperature: temperatureOption(0.7),
    waveSize: waveSizeOption(),
    topLogprobs: z
      .number()
      .int()
      .min(0)
      .max(20)
      .default(0)
      .describe("Top tokens per position for each candidate's confidence signals (0: none asked). A pool for `mull tune` asks 5"),
    window: z.number().int().min(1).max(4096).default(16).describe("Tokens per group for the lowest-group confidence"),
  }),
  verifier: "optional",
  async run(context) {
    const { topLogprobs, window } = context.options;
    const candidates = await sampleAndScore(context, topLogprobs > 0 ? { logprobs: true, topLogprobs, window } : undefined);
    const verifier = context.verifier;
    if (verifier?.kind === "oracle") {
      const correct = candidates.filter((candidate) => (candidate.score ?? 0) >= 1).length;
      const passAt: Record<string, number> = {};
      for (let k = 1; k <= candidates.length; k *= 2) passAt[`pass@${k}`] = passAtK(candidates.length, correct, k);
      context.trace("coverage", { oracle: verifier.name, correct, samples: candidates.length, passAtK: passAt });
    }
    const chosen = verifier ? highestScored(candidates) : candidates[0];
    return { chosen, confidence: chosen?.score ?? 0, candidates };
  },
});

export type RepeatedSamplingOptions = NonNullable<Parameters<typeof repeatedSampling.create>[0]>;

export const createRepeatedSampling = (options: RepeatedSamplingOptions = {}) => repeatedSampling.create(options);

// This strategy's own trace event (core's union is open: see `TraceEventData`).
declare module "../../core/trace-event.js" {
  interface TraceEventData {
    /** repeated-sampling with an oracle: unbiased pass@k for k = 1, 2, 4, ... */
    coverage: { oracle: string; correct: number; samples: number; passAtK: Record<string, number> };
  }
}
