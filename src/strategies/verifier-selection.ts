/**
 * Strategies that sample candidates and choose among them with a verifier or the candidates' own
 * signals: `best-of-n`, `weighted-vote`, `complexity-vote`.
 */
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { Candidate, Strategy, StrategyResult } from "../core/strategy.js";
import type { Verifier } from "../core/verifier.js";
import { BudgetMeter } from "../internal/budget-meter.js";
import { extractAnswer as defaultExtractAnswer } from "../internal/extract-answer.js";
import { sampleCandidates, validateSampling } from "./sample-candidates.js";
import { createTrace, finishRun, highestScored, majorityVote, scoreCandidates } from "./strategy-helpers.js";

export type SamplingOptions = {
  /** Samples to draw. Defaults to `16`. */
  n?: number;
  /** Sampling temperature. Defaults to `0.7`. */
  temperature?: number;
  /** Samples per backend call. Defaults to `n` without a budget and `4` with one. */
  waveSize?: number;
};

type Selector = (candidates: Candidate[]) => { chosen: Candidate | undefined; answer: string | undefined; votes: Record<string, number>; confidence: number };

function createSelectionStrategy(name: string, options: SamplingOptions, verifier: Verifier | undefined, select: Selector): Strategy {
  const { n, temperature } = validateSampling(options);
  return {
    name,
    async run({ model, call, budget, abortSignal, extractAnswer = defaultExtractAnswer, onProgress }): Promise<StrategyResult> {
      const meter = new BudgetMeter({ ...(budget ? { budget } : {}), ...(abortSignal ? { abortSignal } : {}) });
      const { trace, add } = createTrace();
      try {
        const { candidates, warnings } = await sampleCandidates({
          model,
          call,
          meter,
          n,
          waveSize: options.waveSize ?? (budget ? Math.min(n, 4) : n),
          temperature,
          extractAnswer,
          onWave: (sampled) =>
            onProgress?.({ type: "progress", message: `${sampled.length}/${n} samples`, usage: meter.usage(), data: { samples: sampled.length } }),
        });
        let verifierTokens = 0;
        if (verifier && !abortSignal?.aborted) {
          if (typeof call.prompt !== "string")
            throw new InvalidArgumentError({ parameter: "prompt", message: `${name} with a verifier needs a raw-text prompt` });
          // Scoring continues after a budget stop: the budget limits the policy; verifier work is reported in the trace.
          // A per-run session: duplicate samples are evaluated once.
          verifierTokens = await scoreCandidates(verifier.session?.() ?? verifier, call.prompt, candidates, abortSignal);
          add("scored", { verifier: verifier.name, scores: candidates.map((candidate) => candidate.score) });
        }
        const { chosen, answer, votes, confidence } = select(candidates);
        add("select", { answer, votes });
        return finishRun({ strategy: name, chosen, answer, confidence, candidates, votes, meter, abortSignal, trace, warnings, verifierTokens });
      } finally {
        meter.dispose();
      }
    },
  };
}

/** Best-of-N: the candidate with the highest verifier score; ties go to the earliest sample. */
export function createBestOfN(options: SamplingOptions & { verifier: Verifier }): Strategy {
  if (!options.verifier) throw new InvalidArgumentError({ parameter: "verifier", message: "best-of-n needs a verifier" });
  return createSelectionStrategy(`best-of-n`, options, options.verifier, (candidates) => {
    const chosen = highestScored(candidates);
    const answer = chosen?.answer;
    return { chosen, answer, votes: answer === undefined ? {} : { [answer]: 1 }, confidence: chosen?.score ?? 0 };
  });
}

/** Weighted vote: each answer's votes weighted by verifier score (`by: "verifier"`) or by exp(mean token log-probability) (`by: "logprob"`, the default without a verifier). */
export function createWeightedVote(options: SamplingOptions & { verifier?: Verifier; by?: "verifier" | "logprob" }): Strategy {
  const by = options.by ?? (options.verifier ? "verifier" : "logprob");
  if (by === "verifier" && !options.verifier)
    throw new InvalidArgumentError({ parameter: "verifier", message: 'weighted-vote by "verifier" needs a verifier' });
  if (by !== "verifier" && by !== "logprob") throw new InvalidArgumentError({ parameter: "by", value: by, message: 'must be "verifier" or "logprob"' });
  return createSelectionStrategy("weighted-vote", options, by === "verifier" ? options.verifier : undefined, (candidates) => {
    const tally = majorityVote(candidates, (candidate) =>
      by === "verifier" ? (candidate.score ?? 0) : candidate.meanLogprob !== undefined ? Math.exp(candidate.meanLogprob) : 1,
    );
    return { ...tally, chosen: candidates.find((candidate) => tally.answer !== undefined && candidate.answer === tally.answer) };
  });
}

/** Complexity-based voting (Fu et al., 2023): majority vote among the k candidates with the most reasoning steps (lines). Defaults: k = half of n. */
export function createComplexityVote(options: SamplingOptions & { k?: number }): Strategy {
  const n = options.n ?? 16;
  const k = options.k ?? Math.max(1, Math.ceil(n / 2));
  if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError({ parameter: "k", value: k, message: "must be a positive integer" });
  return createSelectionStrategy("complexity-vote", options, undefined, (candidates) => {
    const steps = (candidate: Candidate) => candidate.text.split("\n").filter((line) => line.trim().length > 0).length;
    const complex = candidates
      .map((candidate, index) => ({ candidate, index }))
      .filter(({ candidate }) => candidate.answer !== undefined)
      .sort((a, b) => steps(b.candidate) - steps(a.candidate) || a.index - b.index)
      .slice(0, k)
      .sort((a, b) => a.index - b.index)
      .map(({ candidate }) => candidate);
    const tally = majorityVote(complex);
    return { ...tally, chosen: complex.find((candidate) => tally.answer !== undefined && candidate.answer === tally.answer) };
  });
}
