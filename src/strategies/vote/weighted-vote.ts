import { z } from "zod";
import { defineStrategy } from "../../extension/define-strategy.js";
import { firstWithAnswer, majorityVote } from "../majority-vote.js";
import { samplingOptions } from "../sampling-options.js";
import { sampleAndScore } from "../select/sample-and-score.js";

/** Weighted vote: each answer's votes weighted by verifier score, or by exp(mean token log-probability). */
export const weightedVote = defineStrategy({
  name: "weighted-vote",
  description: "Majority vote with each sample weighted by its verifier score or its mean token probability",
  options: z.strictObject({
    ...samplingOptions,
    weightBy: z.enum(["verifier", "logprob"]).default("verifier").describe("What weighs a vote: the verifier's score, or exp(mean token log-probability)"),
  }),
  verifier: (options) => (options.weightBy === "verifier" ? "required" : "none"),
  async run(context) {
    const candidates = await sampleAndScore(context);
    const byVerifier = context.options.weightBy === "verifier";
    const tally = majorityVote(candidates, (candidate) =>
      byVerifier ? (candidate.score ?? 0) : candidate.meanLogprob !== undefined ? Math.exp(candidate.meanLogprob) : 1,
    );
    context.trace("select", { answer: tally.answer, votes: tally.votes });
    return { ...tally, chosen: firstWithAnswer(candidates, tally.answer), candidates };
  },
});

export type WeightedVoteOptions = Parameters<typeof weightedVote.create>[0];

export const createWeightedVote = (options: WeightedVoteOptions = {}) => weightedVote.create(options);
