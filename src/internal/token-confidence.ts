/**
 * Reward-free confidence of one sampled trace from its tokens' log-probabilities, after DeepConf (Fu et al.,
 * 2025, "Deep Think with Confidence"). A token's confidence is the negative mean log-probability of the
 * most likely tokens at its position (`-(1/k) * sum of the top k logprobs`): high when the model put its mass
 * on one token, low when it hesitated. A trace's signals: the mean over its tokens; its lowest group
 * confidence (the lowest mean over any `window` consecutive tokens, the paper's best filter); its tail (mean
 * over the last `window` tokens); and the mean entropy of the top-k distribution at each position
 * (renormalised over the k tokens returned, so a lower bound of the full entropy). And self-certainty (Kang et
 * al., 2025, "Scalable Best-of-N Selection via Self-Certainty"): the mean over tokens of the KL divergence from the
 * uniform distribution to the model's; from top-k log-probabilities, with the rest of the mass spread over a large
 * vocabulary, a token's KL tends to `-log(1 - Σ top-k p)`, the log-odds of the mass outside the tokens returned.
 */
import type { TokenLogprob } from "../core/generate-result.js";

export type TraceConfidence = {
  /** Mean token confidence over the trace. */
  mean: number;
  /** Lowest mean token confidence over `window` consecutive tokens (the whole trace when shorter). */
  lowestGroup: number;
  /** Mean token confidence over the last `window` tokens. */
  tail: number;
  /** Mean entropy (nats) of the top-k distribution at each position. */
  entropy: number;
  /** The window the group and tail signals used. */
  window: number;
  /** Mean per-token KL divergence from uniform, as top-k log-probabilities allow (see above); higher is more certain. */
  selfCertainty: number;
};

/** The least mass outside the top-k a token is taken to leave: a token the model is sure of scores at most `-log 1e-6`. */
const leastRestMass = 1e-6;

/** A token's self-certainty: `-log` of the probability mass outside its top-k tokens. */
export function tokenSelfCertainty(item: TokenLogprob): number {
  const top = item.topLogprobs ?? [];
  const covered = top.reduce((sum, entry) => sum + Math.exp(entry.logprob), 0);
  return -Math.log(Math.max(leastRestMass, 1 - covered));
}

/** A token's confidence: the negative mean top-k log-probability; undefined without top log-probabilities. */
export function tokenConfidence(item: TokenLogprob): number | undefined {
  const top = item.topLogprobs;
  if (!top || top.length < 2) return undefined;
  return -top.reduce((sum, entry) => sum + entry.logprob, 0) / top.length;
}

function topEntropy(item: TokenLogprob): number {
  const top = item.topLogprobs ?? [];
  const total = top.reduce((sum, entry) => sum + Math.exp(entry.logprob), 0);
  if (total <= 0) return 0;
  return -top.reduce((sum, entry) => {
    const probability = Math.exp(entry.logprob) / total;
    return probability > 0 ? sum + probability * Math.log(probability) : sum;
  }, 0);
}

/** Mean of `values` over each run of `window` consecutive values, as a running sum; the lowest of them. */
export function lowestWindowMean(values: readonly number[], window: number): number {
  if (values.length === 0) return Number.NaN;
  const size = Math.min(window, values.length);
  let sum = values.slice(0, size).reduce((total, value) => total + value, 0);
  let lowest = sum / size;
  for (let end = size; end < values.length; end++) {
    sum += (values[end] as number) - (values[end - size] as number);
    lowest = Math.min(lowest, sum / size);
  }
  return lowest;
}

/** The trace's signals, or undefined when a position lacks top log-probabilities (ask for `topLogprobs` >= 2). */
export function traceConfidence(logprobs: readonly TokenLogprob[], window = 16): TraceConfidence | undefined {
  if (logprobs.length === 0) return undefined;
  const confidences: number[] = [];
  for (const item of logprobs) {
    const confidence = tokenConfidence(item);
    if (confidence === undefined) return undefined;
    confidences.push(confidence);
  }
  const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return {
    mean: mean(confidences),
    lowestGroup: lowestWindowMean(confidences, window),
    tail: mean(confidences.slice(-window)),
    entropy: mean(logprobs.map(topEntropy)),
    window,
    selfCertainty: mean(logprobs.map(tokenSelfCertainty)),
  };
}
