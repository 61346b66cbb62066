/**
 * What a tuned profile should score on new questions, estimated honestly: k-fold cross-validation over the dev
 * set. Each fold is tuned on the other folds and replayed on its own held-out questions; the held-out answers,
 * question by question against majority@N on the same question, give the expected accuracy and the expected loss
 * against majority, each with a 95% interval. The dev set's own numbers cannot: the profile was chosen on them.
 */
import type { PoolItem } from "../../extension/pool-item.js";
import { majorityReference, normalQuantile, replayProfile, type TuneOptions, tuneProfile } from "./tune-profile.js";

export type HeldOutEstimate = {
  folds: number;
  questions: number;
  /** Held-out accuracy and its 95% interval. */
  accuracy: { mean: number; low: number; high: number };
  /** Held-out accuracy minus majority@N's on the same questions, and its 95% interval. */
  difference: { mean: number; low: number; high: number };
  /** Generated tokens per question held out, and majority@N's. */
  tokens: number;
  majorityTokens: number;
};

/** Mean and 95% normal interval of per-question values. */
function interval(values: number[]): { mean: number; low: number; high: number } {
  const n = values.length;
  const mean = values.reduce((sum, value) => sum + value, 0) / Math.max(1, n);
  const variance = n > 1 ? values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1) : 0;
  const half = normalQuantile(0.975) * Math.sqrt(variance / Math.max(1, n));
  return { mean, low: mean - half, high: mean + half };
}

/**
 * Tunes `folds` times on all but one fold (questions dealt round-robin, so each fold spans the set) and replays each
 * profile on its held-out fold. Undefined where a fold could not be tuned (a budget below every probe) or the set
 * has fewer questions than folds.
 */
export function crossValidateProfile(options: TuneOptions & { folds?: number }): HeldOutEstimate | undefined {
  const folds = options.folds ?? 5;
  const { pools } = options;
  if (pools.length < folds || folds < 2) return undefined;
  const accuracy: number[] = [];
  const difference: number[] = [];
  let tokens = 0;
  let majorityTokens = 0;
  for (let fold = 0; fold < folds; fold++) {
    const train = pools.filter((_, index) => index % folds !== fold);
    const held: PoolItem[] = pools.filter((_, index) => index % folds === fold);
    const tuned = tuneProfile({ ...options, pools: train });
    if (!tuned) return undefined;
    const replayed = replayProfile(tuned.profile, held);
    const majority = majorityReference(held);
    replayed.forEach((totals, index) => {
      accuracy.push(totals.correct);
      difference.push(totals.correct - (majority.correctness[index] as number));
      tokens += totals.tokens;
    });
    majorityTokens += majority.tokens;
  }
  return {
    folds,
    questions: accuracy.length,
    accuracy: interval(accuracy),
    difference: interval(difference),
    tokens: tokens / accuracy.length,
    majorityTokens: majorityTokens / accuracy.length,
  };
}
