import { z } from "zod";
import { defineStrategy } from "../../extension/define-strategy.js";
import { adaptiveVoteOptions, runAdaptiveVote } from "./adaptive-vote.js";
import { betaRule } from "./stopping-rules.js";

/** Adaptive-Consistency (Aggarwal et al., 2023): stop when P(leader beats runner-up) under a Beta posterior reaches `threshold`. */
export const adaptiveConsistency = defineStrategy({
  name: "adaptive-consistency",
  description: "Majority vote that stops once a Beta posterior says the leader wins (Aggarwal et al., 2023); cancels samples in flight",
  options: z.strictObject({
    ...adaptiveVoteOptions({ threshold: 0.95, thresholdDescription: "Stop once P(leader beats runner-up) reaches this", minSamples: 2 }),
    verifiedStop: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .describe(
        "Also stop once a sample's verifier score reaches this, answering with it: scattered questions whose vote never settles stop at a verified answer (needs a verifier; default: off)",
      ),
  }),
  verifier: (options) => (options.verifiedStop !== undefined ? "required" : "none"),
  run: (context) =>
    runAdaptiveVote(context, betaRule({ threshold: context.options.threshold, minSamples: context.options.minSamples }), context.options.waveSize, {
      verifiedStop: context.options.verifiedStop,
    }),
});

export type AdaptiveConsistencyOptions = NonNullable<Parameters<typeof adaptiveConsistency.create>[0]>;

export const createAdaptiveConsistency = (options: AdaptiveConsistencyOptions = {}) => adaptiveConsistency.create(options);
