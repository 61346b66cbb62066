/**
 * RPC (Zhou et al., 2025): perplexity consistency with reasoning pruning. Each path's probability is
 * exp(mean token log-probability); a two-component Weibull mixture over those probabilities prunes paths
 * that belong to the low component and sit below the mean; each answer scores the sum of its unique
 * paths' probabilities. Without log-probabilities it warns and falls back to plain voting.
 */
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { Candidate, Strategy, StrategyResult } from "../core/strategy.js";
import { BudgetMeter } from "../internal/budget-meter.js";
import { extractAnswer as defaultExtractAnswer } from "../internal/extract-answer.js";
import { fitWeibullMixture, highComponentPosterior } from "../internal/weibull-mixture.js";
import { sampleCandidates } from "./sample-candidates.js";
import { createTrace, finishRun, majorityVote } from "./strategy-helpers.js";

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

export function createRpc(options: { n?: number; temperature?: number; waveSize?: number } = {}): Strategy {
  const n = options.n ?? 16;
  const temperature = options.temperature ?? 0.7;
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new InvalidArgumentError({ parameter: "n", value: n, message: "must be an integer from 1 to 1024" });
  if (!Number.isFinite(temperature) || temperature < 0)
    throw new InvalidArgumentError({ parameter: "temperature", value: temperature, message: "must be a number >= 0" });
  return {
    name: "rpc",
    async run({ model, call, budget, abortSignal, extractAnswer = defaultExtractAnswer }): Promise<StrategyResult> {
      const meter = new BudgetMeter({ ...(budget ? { budget } : {}), ...(abortSignal ? { abortSignal } : {}) });
      const { trace, add } = createTrace();
      try {
        const { candidates, warnings } = await sampleCandidates({
          model,
          call: { ...call, logprobs: true },
          meter,
          n,
          waveSize: options.waveSize ?? (budget ? Math.min(n, 4) : n),
          temperature,
          extractAnswer,
        });
        const withLogprobs = candidates.filter((candidate) => candidate.meanLogprob !== undefined || candidate.completionTokens === 0);
        let tally: { answer: string | undefined; votes: Record<string, number>; confidence: number };
        if (candidates.length > 0 && withLogprobs.length === candidates.length) {
          const result = perplexityConsistency(candidates);
          add("rpc", { pruned: result.pruned, votes: result.votes });
          tally = result;
        } else {
          warnings.push({ type: "unsupported", feature: "logprobs", details: "rpc needs per-token log-probabilities; fell back to plain majority voting" });
          tally = majorityVote(candidates);
        }
        const chosen = candidates.find((candidate) => tally.answer !== undefined && candidate.answer === tally.answer);
        return finishRun({
          strategy: "rpc",
          chosen,
          answer: tally.answer,
          confidence: tally.confidence,
          candidates,
          votes: tally.votes,
          meter,
          abortSignal,
          trace,
          warnings,
        });
      } finally {
        meter.dispose();
      }
    },
  };
}
