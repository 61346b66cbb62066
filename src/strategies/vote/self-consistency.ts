import { z } from "zod";
import { defineStrategy } from "../../extension/define-strategy.js";
import { firstWithAnswer, majorityVote } from "../majority-vote.js";
import { samplingOptions } from "../sampling-options.js";

/** Samples n solutions in parallel, extracts answers and returns the majority (Wang et al., 2022). */
export const selfConsistency = defineStrategy({
  name: "self-consistency",
  description: "Samples n solutions in parallel and returns the majority answer (Wang et al., 2022)",
  options: z.strictObject(samplingOptions),
  async run(context) {
    const { n, temperature } = context.options;
    const candidates = await context.sample({
      n,
      temperature,
      waveSize: context.waveSize(n, context.options.waveSize),
      onWave: (sampled) => {
        const tally = majorityVote(sampled);
        context.trace("wave-end", { samples: sampled.length, votes: tally.votes });
        const leader = `${tally.answer ?? "none"} (${(100 * tally.confidence).toFixed(0)}%)`;
        context.progress(`${sampled.length}/${n} samples, leader ${leader}`, { samples: sampled.length, votes: tally.votes });
      },
    });
    const { answer, votes, confidence } = majorityVote(candidates);
    context.trace("vote", { answer, votes });
    return { chosen: firstWithAnswer(candidates, answer), answer, confidence, candidates, votes };
  },
});

export type SelfConsistencyOptions = NonNullable<Parameters<typeof selfConsistency.create>[0]>;

export const createSelfConsistency = (options: SelfConsistencyOptions = {}) => selfConsistency.create(options);
