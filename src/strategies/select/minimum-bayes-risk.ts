/**
 * Minimum Bayes risk selection (Bertsch et al., 2023, "It's MBR all the way down"): n samples, and the one with
 * the highest mean similarity to the others, the sample the rest agree with most. With `similarity: "answer"`
 * it is the majority vote's answer, its tie among samples broken by their texts; with `"f1"` (word-overlap F1 of
 * the texts) it needs no extractable answer at all, so it serves free-form generation. No reward model.
 */
import { z } from "zod";
import { defineStrategy } from "../../extension/define-strategy.js";
import { majorityVote } from "../majority-vote.js";
import { meanSimilarities, wordF1 } from "../mean-similarity.js";
import { samplingOptions } from "../sampling-options.js";

export const minimumBayesRisk = defineStrategy({
  name: "mbr",
  description:
    "Samples n solutions and returns the one most similar to the others (minimum Bayes risk): by answer, or by word-overlap F1 of the texts; no reward model",
  options: z.strictObject({
    ...samplingOptions,
    similarity: z
      .enum(["answer", "f1"])
      .default("answer")
      .describe("answer: 1 where two samples' answers agree (ties broken by text F1); f1: word-overlap F1 of the texts, for answers a vote cannot extract"),
  }),
  async run(context) {
    const { n, temperature, similarity } = context.options;
    const candidates = await context.sample({
      n,
      temperature,
      waveSize: context.waveSize(n, context.options.waveSize),
      onWave: (sampled) => context.progress(`${sampled.length}/${n} samples`, { samples: sampled.length }),
    });
    const text = meanSimilarities(candidates, (a, b) => wordF1(a.text, b.text));
    const agreement = similarity === "answer" ? meanSimilarities(candidates, (a, b) => (a.answer !== undefined && a.answer === b.answer ? 1 : 0)) : text;
    // Lexicographic: agreement first, then the texts' similarity (a tie in answers goes to the most typical text).
    let best = 0;
    for (let index = 1; index < candidates.length; index++) {
      const gain = (agreement[index] as number) - (agreement[best] as number);
      if (gain > 1e-12 || (Math.abs(gain) <= 1e-12 && (text[index] as number) > (text[best] as number))) best = index;
    }
    const chosen = candidates[best];
    const { votes } = majorityVote(candidates);
    context.trace("select", { answer: chosen?.answer, votes });
    return { chosen, confidence: agreement[best] ?? 0, votes, candidates };
  },
});

export type MinimumBayesRiskOptions = NonNullable<Parameters<typeof minimumBayesRisk.create>[0]>;

export const createMinimumBayesRisk = (options: MinimumBayesRiskOptions = {}) => minimumBayesRisk.create(options);
