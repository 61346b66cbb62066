/**
 * DeepConf (Fu et al., 2025, "Deep Think with Confidence"): voting over the traces the model was most
 * confident in, each weighted by its confidence (token confidence = negative mean top-k log-probability;
 * see `src/internal/token-confidence.ts`). Offline, all `n` traces are drawn, the least confident
 * `1 - keep` share dropped and the rest vote. Online, `warmup` traces calibrate a threshold (the confidence
 * the kept share reaches), every later trace is stopped as soon as its last `window` tokens fall under it,
 * and the run stops once the leading answer holds `consensus` of the weighted vote.
 */
import { defineStrategy } from "../../extension/define-strategy.js";
import type { RunContext, RunOutcome } from "../../extension/run-context.js";
import { firstWithAnswer, majorityVote } from "../majority-vote.js";
import { runOnlineDeepConf } from "./deepconf-online.js";
import { type DeepConfSettings, deepConfOptions } from "./deepconf-options.js";
import { confidenceOf, confidentVote, keepThreshold } from "./deepconf-vote.js";

async function runOffline(context: RunContext<DeepConfSettings>): Promise<RunOutcome> {
  const { n, temperature, keep, metric, window, topLogprobs } = context.options;
  const candidates = await context.sample({
    n,
    temperature,
    waveSize: context.waveSize(n, context.options.waveSize),
    call: { logprobs: true, topLogprobs },
    confidenceWindow: window,
  });
  const values = candidates.map((candidate) => confidenceOf(candidate, metric));
  if (values.some((value) => value === undefined)) {
    // No top log-probabilities from this model: plain majority, said so.
    context.warn([{ type: "other", message: "deepconf: the model returned no top log-probabilities; voted without confidence" }]);
    const tally = majorityVote(candidates);
    return { chosen: firstWithAnswer(candidates, tally.answer), ...tally, candidates };
  }
  const threshold = keepThreshold(values as number[], keep);
  const tally = confidentVote(candidates, metric, threshold);
  context.trace("confidence-filter", { metric, threshold, kept: tally.kept.length, of: candidates.length });
  context.trace("vote", { answer: tally.answer, votes: tally.votes });
  return { chosen: firstWithAnswer(tally.kept, tally.answer), answer: tally.answer, confidence: tally.confidence, votes: tally.votes, candidates };
}

export const deepConf = defineStrategy({
  name: "deepconf",
  description:
    "Votes over the most confident traces, weighted by token confidence; online, stops weak traces and settled runs early (DeepConf, Fu et al., 2025)",
  options: deepConfOptions,
  async run(context) {
    return context.options.mode === "online" ? runOnlineDeepConf(context) : runOffline(context);
  },
});

export type DeepConfOptions = NonNullable<Parameters<typeof deepConf.create>[0]>;

export const createDeepConf = (options: DeepConfOptions = {}) => deepConf.create(options);
