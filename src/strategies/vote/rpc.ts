/**
 * RPC (Zhou et al., 2025): perplexity consistency with reasoning pruning. Each path's probability is
 * exp(mean token log-probability); a two-component Weibull mixture over those probabilities prunes paths
 * that belong to the low component and sit below the mean; each answer scores the sum of its unique
 * paths' probabilities. Without log-probabilities it warns and falls back to plain voting.
 */
import { z } from "zod";
import type { Candidate } from "../../core/strategy-report.js";
import { defineStrategy } from "../../extension/define-strategy.js";
import { fitWeibullMixture, highComponentPosterior } from "../../internal/weibull-mixture.js";
import { firstWithAnswer, majorityVote } from "../majority-vote.js";
import { samplingOptions } from "../sampling-options.js";

/** Perplexity consistency over candidates that all have `meanLogprob`; returns kept candidates and answer scores. */
export function perplexityConsistency(candidates: Candidate[]): {
  answer: string | undefined;
  votes: Record<string, number>;
  confidence: number;
  pruned: number;
} {
  const probabilities = candidates.map((candidate) => Math.exp(candidate.meanLogprob ?? Number.NEGATIVE_INFINITY));
  const mean = probabilities.reduce((sum, value) => sum + value, 0) / Math.max(1, probabilities.length);
  let keep = candidates.map(() => true);
  // A mixture needs a handful of points and some spread; with fewer, nothing is pruned.
  if (candidates.length >= 4 && Math.max(...probabilities) - Math.min(...probabilities) > 1e-6) {
    const mixture = fitWeibullMixture(probabilities);
    keep = probabilities.map((value) => !(highComponentPosterior(value, mixture) < 0.5 && value < mean));
  }
  const votes: Record<string, number> = {};
  const seen = new Set<string>();
  const order: string[] = [];
  candidates.forEach((candidate, index) => {
    if (!keep[index] || candidate.answer === undefined || seen.has(candidate.text)) return;
    seen.add(candidate.text);
    if (!(candidate.answer in votes)) order.push(candidate.answer);
    votes[candidate.answer] = (votes[candidate.answer] ?? 0) + (probabilities[index] ?? 0);
  });
  let answer: string | undefined;
  for (const item of order) if (answer === undefined || (votes[item] ?? 0) > (votes[answer] ?? 0)) answer = item;
  const total = Object.values(votes).reduce((sum, value) => sum + value, 0);
  return { answer, votes, confidence: answer === undefined || total === 0 ? 0 : (votes[answer] ?? 0) / total, pruned: keep.filter((kept) => !kept).length };
}

export const rpc = defineStrategy({
  name: "rpc",
  description: "Perplexity consistency with reasoning pruning: answers scored by their paths' probabilities (Zhou et al., 2025)",
  options: z.strictObject(samplingOptions),
  async run(context) {
    const { n, temperature } = context.options;
    const candidates = await context.sample({ n, temperature, waveSize: context.waveSize(n, context.options.waveSize), call: { logprobs: true } });
    const withLogprobs = candidates.filter((candidate) => candidate.meanLogprob !== undefined || candidate.completionTokens === 0);
    let tally: { answer: string | undefined; votes: Record<string, number>; confidence: number };
    if (candidates.length > 0 && withLogprobs.length === candidates.length) {
      const result = perplexityConsistency(candidates);
      context.trace("rpc", { pruned: result.pruned, votes: result.votes });
      tally = result;
    } else {
      context.warn([{ type: "unsupported", feature: "logprobs", details: "rpc needs per-token log-probabilities; fell back to plain majority voting" }]);
      tally = majorityVote(candidates);
    }
    return { ...tally, chosen: firstWithAnswer(candidates, tally.answer), candidates };
  },
});

export type RpcOptions = NonNullable<Parameters<typeof rpc.create>[0]>;

export const createRpc = (options: RpcOptions = {}) => rpc.create(options);

// This strategy's own trace event (core's union is open: see `TraceEventData`).
declare module "../../core/trace-event.js" {
  interface TraceEventData {
    /** RPC's pruning and the answers' perplexity-consistency scores. */
    rpc: { pruned: number; votes: Record<string, number> };
  }
}
