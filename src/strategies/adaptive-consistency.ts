import { z } from "zod";
import { defineStrategy } from "../extension/define-strategy.js";
import { runAdaptiveVote } from "./adaptive-vote.js";
import { samplesOption, temperatureOption } from "./sampling-options.js";
import { betaRule } from "./stopping-rules.js";

/** Adaptive-Consistency (Aggarwal et al., 2023): stop when P(leader beats runner-up) under a Beta posterior reaches `threshold`. */
export const adaptiveConsistency = defineStrategy({
  name: "adaptive-consistency",
  description: "Majority vote that stops once a Beta posterior says the leader wins (Aggarwal et al., 2023); cancels samples in flight",
  options: z.strictObject({
    maxSamples: samplesOption(40, "Most samples (the paper's cap)"),
    threshold: z.number().gt(0).max(1).default(0.95).describe("Stop once P(leader beats runner-up) reaches this"),
    minSamples: z.number().int().min(1).max(1024).default(2).describe("Answers needed before the rule may stop"),
    waveSize: z.number().int().min(1).max(1024).default(4).describe("Samples in flight at once"),
    temperature: temperatureOption(0.7),
  }),
  run: (context) => runAdaptiveVote(context, betaRule({ threshold: context.options.threshold, minSamples: context.options.minSamples })),
});

export type AdaptiveConsistencyOptions = NonNullable<Parameters<typeof adaptiveConsistency.create>[0]>;

export const createAdaptiveConsistency = (options: AdaptiveConsistencyOptions = {}) => adaptiveConsistency.create(options);
