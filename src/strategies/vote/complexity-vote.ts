import { z } from "zod";
import type { Candidate } from "../../core/strategy-report.js";
import { defineStrategy } from "../../extension/define-strategy.js";
import { firstWithAnswer, majorityVote } from "../majority-vote.js";
import { samplingOptions } from "../sampling-options.js";
import { sampleAndScore } from "../select/sample-and-score.js";

const steps = (candidate: Candidate) => candidate.text.split("\n").filter((line) => line.trim().length > 0).length;

/** Complexity-based voting (Fu et al., 2023): majority vote among the k candidates with the most reasoning steps (lines). */
export const complexityVote = defineStrategy({
  name: "complexity-vote",
  description: "Majority vote among the k samples with the most reasoning steps (Fu et al., 2023)",
  options: z.strictObject({
    ...samplingOptions,
    k: z.number().int().min(1).max(1024).optional().describe("How many of the most complex samples vote. Absent: half of n, rounded up"),
  }),
  resolve: (options) => ({ ...options, k: options.k ?? Math.max(1, Math.ceil(options.n / 2)) }),
  async run(context) {
    const candidates = await sampleAndScore(context);
    const complex = candidates
      .map((candidate, index) => ({ candidate, index }))
      .filter(({ candidate }) => candidate.answer !== undefined)
      .sort((a, b) => steps(b.candidate) - steps(a.candidate) || a.index - b.index)
      .slice(0, context.options.k)
      .sort((a, b) => a.index - b.index)
      .map(({ candidate }) => candidate);
    const tally = majorityVote(complex);
    context.trace("select", { answer: tally.answer, votes: tally.votes });
    return { ...tally, chosen: firstWithAnswer(complex, tally.answer), candidates };
  },
});

export type ComplexityVoteOptions = NonNullable<Parameters<typeof complexityVote.create>[0]>;

export const createComplexityVote = (options: ComplexityVoteOptions = {}) => complexityVote.create(options);
