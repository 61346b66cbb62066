import { z } from "zod";
import { defineStrategy } from "../extension/define-strategy.js";
import { runAdaptiveVote } from "./adaptive-vote.js";
import { samplesOption, temperatureOption } from "./sampling-options.js";
import { leaderShareRule } from "./stopping-rules.js";

/** Stop when the leader holds `threshold` of at least `minSamples` samples. */
export const leaderThreshold = defineStrategy({
  name: "leader-threshold",
  description: "Majority vote that stops once the leader holds a share of the samples; cancels samples in flight",
  options: z.strictObject({
    maxSamples: samplesOption(40, "Most samples"),
    threshold: z.number().gt(0).max(1).default(0.7).describe("Leader's share of the answers that stops sampling"),
    minSamples: z.number().int().min(1).max(1024).default(4).describe("Answers needed before the rule may stop"),
    waveSize: z.number().int().min(1).max(1024).default(4).describe("Samples in flight at once"),
    temperature: temperatureOption(0.7),
  }),
  run: (context) => runAdaptiveVote(context, leaderShareRule({ threshold: context.options.threshold, minSamples: context.options.minSamples })),
});

export type LeaderThresholdOptions = NonNullable<Parameters<typeof leaderThreshold.create>[0]>;

export const createLeaderThreshold = (options: LeaderThresholdOptions = {}) => leaderThreshold.create(options);
