/**
 * short-m@k (Hassid et al., 2025, "Don't Overthink it: Preferring Shorter Thinking Chains for Improved LLM
 * Reasoning"): `k` traces at once; as soon as the first `m` finish, the rest are cancelled (their tokens spent so
 * far are counted) and the `m` vote, a tie going to the trace that finished first (the shortest). Shorter chains
 * are more often right, and the run ends when the m-th shortest does, not the longest.
 */
import { z } from "zod";
import { defineStrategy } from "../../extension/define-strategy.js";
import { streamTraces } from "../../extension/stream-traces.js";
import { firstWithAnswer, majorityVote } from "../majority-vote.js";
import { samplesOption, temperatureOption } from "../sampling-options.js";

export const shortMAtK = defineStrategy({
  name: "short-m-at-k",
  description: "Streams k traces, keeps the first m to finish and cancels the rest, then votes among them (short-m@k, Hassid et al., 2025)",
  options: z
    .strictObject({
      k: samplesOption(8, "Traces started at once. Default: 8"),
      m: z.number().int().min(1).max(1024).default(3).describe("Traces that finish before the rest are cancelled; they vote. Default: 3"),
      temperature: temperatureOption(0.7),
    })
    .refine((options) => options.m <= options.k, { message: "m must be at most k", path: ["m"] }),
  async run(context) {
    const { k, m, temperature } = context.options;
    const kept = await streamTraces(context, {
      k,
      temperature,
      onFinish(_candidate, _trace, traces) {
        const finished = traces.filter((trace) => trace.done).length;
        context.progress(`${finished}/${m} traces finished`, { finished });
        if (finished >= m) for (const trace of traces) trace.stop("the first m traces finished");
      },
    });
    const voters = kept.slice(0, m);
    const tally = majorityVote(voters);
    context.trace("vote", { answer: tally.answer, votes: tally.votes, cancelled: k - kept.length });
    return { chosen: firstWithAnswer(voters, tally.answer), ...tally, candidates: voters };
  },
});

export type ShortMAtKOptions = NonNullable<Parameters<typeof shortMAtK.create>[0]>;

export const createShortMAtK = (options: ShortMAtKOptions = {}) => shortMAtK.create(options);
