/**
 * Best-of-N without a reward model (Kang et al., 2025, "Scalable Best-of-N Selection for Large Language Models
 * via Self-Certainty"): n samples, each scored by the model's own certainty while writing it, from the token
 * log-probabilities the backend returns. `metric`: self-certainty (mean KL divergence from uniform, see
 * `src/internal/token-confidence.ts`), or DeepConf's tail, lowest-group or mean confidence. `select`: the single
 * most certain sample (`best`), or Borda voting, where the sample ranked r of n by certainty gives its answer
 * (n - r + 1)^power votes (the paper's self-certainty vote, which keeps majority's strength and breaks its ties).
 */
import { z } from "zod";
import type { Candidate } from "../../core/strategy-report.js";
import { defineStrategy } from "../../extension/define-strategy.js";
import { firstWithAnswer, majorityVote } from "../majority-vote.js";
import { samplingOptions } from "../sampling-options.js";

export const certaintyMetrics = ["self-certainty", "tail", "lowest-group", "mean"] as const;
export type CertaintyMetric = (typeof certaintyMetrics)[number];

/** A candidate's certainty under `metric`; undefined where the model returned no top log-probabilities. */
export function certaintyOf(candidate: Candidate, metric: CertaintyMetric): number | undefined {
  const confidence = candidate.confidence;
  if (!confidence) return undefined;
  if (metric === "self-certainty") return confidence.selfCertainty;
  return metric === "tail" ? confidence.tail : metric === "lowest-group" ? confidence.lowestGroup : confidence.mean;
}

/** Borda weights: rank r (1 = most certain) of n counts (n - r + 1)^power; equal certainties share their rank's weight. */
export function bordaWeights(certainties: readonly number[], power: number): number[] {
  const order = certainties.map((value, index) => ({ value, index })).sort((a, b) => b.value - a.value);
  const weights = new Array<number>(certainties.length).fill(0);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]?.value === order[start]?.value) end++;
    let shared = 0;
    for (let rank = start + 1; rank <= end + 1; rank++) shared += (order.length - rank + 1) ** power;
    for (let at = start; at <= end; at++) weights[(order[at] as { index: number }).index] = shared / (end - start + 1);
    start = end + 1;
  }
  return weights;
}

export const selfCertainty = defineStrategy({
  name: "self-certainty",
  description:
    "Samples n solutions and keeps the one the model was most certain of (self-certainty: KL from uniform; or tail confidence), or a Borda vote by certainty; no reward model (Kang et al., 2025)",
  options: z.strictObject({
    ...samplingOptions,
    metric: z
      .enum(certaintyMetrics)
      .default("self-certainty")
      .describe("The certainty ranked on: self-certainty (KL from uniform), DeepConf's tail, lowest-group or mean confidence"),
    select: z.enum(["best", "borda"]).default("best").describe("best: the most certain sample; borda: each answer gets its samples' rank weights"),
    power: z.number().min(0).max(4).default(0.5).describe("borda: rank r of n weighs (n - r + 1)^power (0 is majority vote)"),
    window: z.number().int().min(1).max(4096).default(16).describe("Tokens per group for tail and lowest-group confidence"),
    topLogprobs: z.number().int().min(2).max(20).default(5).describe("Top tokens per position whose log-probabilities make the certainty"),
  }),
  async run(context) {
    const { n, temperature, metric, select, power, window, topLogprobs } = context.options;
    const candidates = await context.sample({
      n,
      temperature,
      waveSize: context.waveSize(n, context.options.waveSize),
      call: { logprobs: true, topLogprobs },
      confidenceWindow: window,
      onWave: (sampled) => context.progress(`${sampled.length}/${n} samples`, { samples: sampled.length }),
    });
    const certainties = candidates.map((candidate) => certaintyOf(candidate, metric));
    if (certainties.some((value) => value === undefined)) {
      context.warn([{ type: "other", message: "self-certainty: the model returned no top log-probabilities; voted without certainty" }]);
      const tally = majorityVote(candidates);
      return { chosen: firstWithAnswer(candidates, tally.answer), ...tally, candidates };
    }
    const values = certainties as number[];
    if (select === "best") {
      const best = values.reduce((top, value, index) => (value > (values[top] ?? Number.NEGATIVE_INFINITY) ? index : top), 0);
      const chosen = candidates[best];
      const answer = chosen?.answer;
      context.trace("select", { answer, votes: answer === undefined ? {} : { [answer]: 1 } });
      // Its confidence: the share of samples that agree with the chosen one.
      const agreeing = answer === undefined ? 0 : candidates.filter((candidate) => candidate.answer === answer).length;
      return { chosen, confidence: agreeing / Math.max(1, candidates.length), candidates };
    }
    const weights = bordaWeights(values, power);
    const byCandidate = new Map(candidates.map((candidate, index) => [candidate, weights[index] ?? 0]));
    const tally = majorityVote(candidates, (candidate) => byCandidate.get(candidate) ?? 0);
    context.trace("vote", { answer: tally.answer, votes: tally.votes });
    // The most certain sample among those that gave the winning answer.
    const chosen = candidates
      .map((candidate, index) => ({ candidate, value: values[index] as number }))
      .filter((entry) => entry.candidate.answer === tally.answer)
      .sort((a, b) => b.value - a.value)[0]?.candidate;
    return { chosen, ...tally, candidates };
  },
});

export type SelfCertaintyOptions = NonNullable<Parameters<typeof selfCertainty.create>[0]>;

export const createSelfCertainty = (options: SelfCertaintyOptions = {}) => selfCertainty.create(options);
