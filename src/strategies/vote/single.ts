import { z } from "zod";
import { defineStrategy } from "../../extension/define-strategy.js";
import { isStopError } from "../../extension/stop-error.js";
import { toCandidate } from "../../extension/to-candidate.js";

/** One completion, greedy by default: the baseline every other strategy is measured against. */
export const single = defineStrategy({
  name: "single",
  description: "One completion, greedy by default: the baseline",
  options: z.strictObject({ temperature: z.number().min(0).max(5).default(0).describe("Sampling temperature (0 is greedy)") }),
  async run(context) {
    const { model, call, extractAnswer } = context;
    const result = await model
      .doGenerate({ ...call, n: 1, temperature: context.options.temperature, logprobs: call.logprobs ?? true })
      .catch((error: unknown) => {
        if (isStopError(error)) return undefined;
        throw error;
      });
    if (result) context.warn(result.warnings);
    const candidates = result ? result.completions.map((completion) => toCandidate(completion, extractAnswer, context.toolVote)) : [];
    const chosen = candidates[0];
    context.trace("candidate-end", { answer: chosen?.answer, completionTokens: chosen?.completionTokens });
    context.progress("candidate finished");
    const confidence = chosen?.answer === undefined ? 0 : chosen.meanLogprob !== undefined ? Math.exp(chosen.meanLogprob) : 1;
    return { chosen, confidence, candidates };
  },
});

export type SingleOptions = NonNullable<Parameters<typeof single.create>[0]>;

export const createSingle = (options: SingleOptions = {}) => single.create(options);
