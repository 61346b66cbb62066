/** DeepConf's filter and vote, shared by its offline and online modes. */
import type { Candidate } from "../../core/strategy-report.js";
import { majorityVote } from "../majority-vote.js";

export type ConfidenceMetric = "lowest-group" | "tail" | "mean";

/** A candidate's confidence under `metric`; undefined without top log-probabilities. */
export function confidenceOf(candidate: Candidate, metric: ConfidenceMetric): number | undefined {
  const confidence = candidate.confidence;
  if (!confidence) return undefined;
  return metric === "lowest-group" ? confidence.lowestGroup : metric === "tail" ? confidence.tail : confidence.mean;
}

/** The confidence a trace needs to be in the top `keep` share of `values` (the paper's percentile threshold). */
export function keepThreshold(values: readonly number[], keep: number): number {
  const sorted = [...values].sort((a, b) => b - a);
  const kept = Math.max(1, Math.ceil(keep * sorted.length));
  return sorted[kept - 1] ?? Number.NEGATIVE_INFINITY;
}

/** Confidence-weighted vote over the candidates at or above `threshold`. */
export function confidentVote(candidates: readonly Candidate[], metric: ConfidenceMetric, threshold: number) {
  const kept = candidates.filter((candidate) => (confidenceOf(candidate, metric) ?? Number.NEGATIVE_INFINITY) >= threshold);
  return { kept, ...majorityVote(kept, (candidate) => confidenceOf(candidate, metric) ?? 0) };
}

// This strategy's own trace event (core's union is open: see `TraceEventData`).
declare module "../../core/trace-event.js" {
  interface TraceEventData {
    /**
     * DeepConf's confidence filter: the metric, the threshold a trace needed, how many were kept, and (online)
     * how many were stopped early for falling under it.
     */
    "confidence-filter": { metric: string; threshold: number; kept: number; of: number; stoppedEarly?: number };
  }
}
