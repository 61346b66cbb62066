import { z } from "zod";
import { defineStrategy } from "../../extension/define-strategy.js";
import { highestScored } from "../majority-vote.js";
import { samplingOptions } from "../sampling-options.js";
import { sampleAndScore } from "./sample-and-score.js";

/** Best-of-N: the candidate with the highest verifier score; ties go to the earliest sample. */
export const bestOfN = defineStrategy({
  name: "best-of-n",
  description: "Samples n solutions and returns the one the verifier scores highest",
  options: z.strictObject(samplingOptions),
  verifier: "required",
  async run(context) {
    const candidates = await sampleAndScore(context);
    const chosen = highestScored(candidates);
    const answer = chosen?.answer;
    context.trace("select", { answer, votes: answer === undefined ? {} : { [answer]: 1 } });
    return { chosen, confidence: chosen?.score ?? 0, candidates };
  },
});

export type BestOfNOptions = Parameters<typeof bestOfN.create>[0];

export const createBestOfN = (options: BestOfNOptions) => bestOfN.create(options);
