/**
 * Repeated sampling with coverage (Large Language Monkeys): draw n, select by the verifier, and report
 * coverage (unbiased pass@k) when the verifier is an oracle.
 */
import { z } from "zod";
import { defineStrategy } from "../extension/define-strategy.js";
import { passAtK } from "../internal/statistics.js";
import { highestScored } from "./majority-vote.js";
import { sampleAndScore } from "./sample-and-score.js";
import { samplesOption, temperatureOption, waveSizeOption } from "./sampling-options.js";

export const repeatedSampling = defineStrategy({
  name: "repeated-sampling",
  description: "Draws n samples and selects by the verifier; with an oracle, reports coverage (pass@k)",
  options: z.strictObject({ n: samplesOption(16), temperature: temperatureOption(0.7), waveSize: waveSizeOption() }),
  verifier: "optional",
  async run(context) {
    const candidates = await sampleAndScore(context);
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
