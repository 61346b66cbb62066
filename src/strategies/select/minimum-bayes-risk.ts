/**
 * Minimum Bayes risk selection (Bertsch et al., 2023, "It's MBR all the way down"): n samples, and the one with
 * the highest mean similarity to the others, the sample the rest agree with most. With `similarity: "answer"`
 * it is the majority vote's answer, its tie among samples broken by their texts; with `"f1"` (word-overlap F1 of
 * the texts) it needs no extractable answer at all, so it serves free-form generation. No reward model.
 */
import { z } from "zod";
import type { Candidate } from "../../core/strategy-report.js";
import { defineStrategy } from "../../extension/define-strategy.js";
import { majorityVote } from "../majority-vote.js";
import { samplingOptions } from "../sampling-options.js";

/** Word-overlap F1 of two texts (case and punctuation aside): 1 for the same words, 0 for none in common. */
export function wordF1(first: string, second: string): number {
  const words = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? [];
  const a = words(first);
  const b = words(second);
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const word of a) counts.set(word, (counts.get(word) ?? 0) + 1);
  let common = 0;
  for (const word of b) {
    const left = counts.get(word) ?? 0;
    if (left > 0) {
      common++;
      counts.set(word, left - 1);
    }
  }
  return common === 0 ? 0 : (2 * common) / (a.length + b.length);
}

/** Each candidate's mean similarity to the others. */
export function meanSimilarities(candidates: readonly Candidate[], similarity: (a: Candidate, b: Candidate) => number): number[] {
  const sums = new Array<number>(candidates.length).fill(0);
  for (let i = 0; i < candidates.length; i++)
    for (let j = i + 1; j < candidates.length; j++) {
      const value = similarity(candidates[i] as Candidate, candidates[j] as Candidate);
      sums[i] = (sums[i] as number) + value;
      sums[j] = (sums[j] as number) + value;
    }
  return sums.map((sum) => (candidates.length > 1 ? sum / (candidates.length - 1) : 1));
}

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
