import { z } from "zod";
import { defineStrategy } from "../../extension/define-strategy.js";
import { adaptiveVoteOptions, runAdaptiveVote } from "./adaptive-vote.js";
import { leaderShareRule } from "./stopping-rules.js";

/** Stop when the leader holds `threshold` of at least `minSamples` samples. */
export const leaderThreshold = defineStrategy({
  name: "leader-threshold",
  description: "Majority vote that stops once the leader holds a share of the samples; cancels samples in flight",
  options: z.strictObject(adaptiveVoteOptions({ threshold: 0.7, thresholdDescription: "Leader's share of the answers that stops sampling", minSamples: 4 })),
  run: (context) =>
    runAdaptiveVote(context, leaderShareRule({ threshold: context.options.threshold, minSamples: context.options.minSamples }), context.options.waveSize),
});

export type LeaderThresholdOptions = NonNullable<Parameters<typeof leaderThreshold.create>[0]>;

export const createLeaderThreshold = (options: LeaderThresholdOptions = {}) => leaderThreshold.create(options);
