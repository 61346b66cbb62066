import type { Candidate } from "../../core/strategy-report.js";
import type { RunContext } from "../../extension/run-context.js";

/**
 * Draws n samples (with log-probabilities for the confidence signals where asked; defaults to none) and,
 * where the strategy has a verifier, scores them: the first half of every
 * selection strategy (best-of-n, weighted-vote, complexity-vote, repeated-sampling).
 */
export async function sampleAndScore(
  context: RunContext<{ n: number; temperature: number; waveSize?: number | undefined }>,
  confidence?: { logprobs: true; topLogprobs: number; window: number },
): Promise<Candidate[]> {
  const { n, temperature } = context.options;
  const candidates = await context.sample({
    n,
    temperature,
    waveSize: context.waveSize(n, context.options.waveSize),
    ...(confidence ? { call: { logprobs: true, topLogprobs: confidence.topLogprobs }, confidenceWindow: confidence.window } : {}),
    onWave: (sampled) => context.progress(`${sampled.length}/${n} samples`, { samples: sampled.length }),
  });
  if (context.verifier && !context.abortSignal?.aborted) {
    // Scoring continues after a budget stop: the budget limits the policy; verifier work is reported apart.
    await context.score(candidates);
    context.trace("scored", { verifier: context.verifier.name, scores: candidates.map((candidate) => candidate.score) });
  }
  return candidates;
}

/** Why a verifier strategy needs a raw-text prompt. */
