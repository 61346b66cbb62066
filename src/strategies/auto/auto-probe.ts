/**
 * `auto`'s first look at a question: what a few samples say about how hard it is for this model (the share
 * the leading answer holds, how confident the samples were, how the verifier scored them), and a calibrated
 * estimate from those signals of how likely the probe's own vote is right (a logistic model fitted by `mull tune`).
 */
import { z } from "zod";
import type { Candidate } from "../../core/strategy-report.js";
import { majorityVote } from "../majority-vote.js";
import { confidenceOf } from "../vote/deepconf-vote.js";

export const probeFeatureNames = ["agreement", "confidence", "bestScore", "length"] as const;

export type ProbeFeature = (typeof probeFeatureNames)[number];

/**
 * agreement: the leading answer's share of the probe (abstentions count against it); confidence: the mean
 * lowest-group token confidence (absent without log-probabilities); bestScore: the verifier's highest score
 * (absent without a verifier); length: the mean generated tokens of a probe sample (long solutions, hard questions).
 */
export type ProbeFeatures = { agreement: number; confidence?: number; bestScore?: number; length?: number };

export function probeFeatures(probe: readonly Candidate[]): ProbeFeatures {
  const tally = majorityVote([...probe]);
  const agreement = probe.length === 0 || tally.answer === undefined ? 0 : (tally.votes[tally.answer] ?? 0) / probe.length;
  const confidences = probe.map((candidate) => confidenceOf(candidate, "lowest-group"));
  const scores = probe.map((candidate) => candidate.score);
  return {
    agreement,
    ...(probe.length > 0 ? { length: probe.reduce((sum, candidate) => sum + candidate.completionTokens, 0) / probe.length } : {}),
    ...(probe.length > 0 && confidences.every((value) => value !== undefined)
      ? { confidence: (confidences as number[]).reduce((sum, value) => sum + value, 0) / probe.length }
      : {}),
    ...(probe.length > 0 && scores.every((value) => value !== undefined) ? { bestScore: Math.max(...(scores as number[])) } : {}),
  };
}

/** A logistic model of P(the probe's vote is right) over standardised features. */
export const difficultyEstimateSchema = z.strictObject({
  features: z.array(z.enum(probeFeatureNames)).min(1),
  mean: z.array(z.number()),
  scale: z.array(z.number().positive()),
  weights: z.array(z.number()),
  bias: z.number(),
});

export type DifficultyEstimate = z.output<typeof difficultyEstimateSchema>;

/** The estimate for one probe; a feature the probe lacks counts as its dev mean (the caller warns). */
export function estimateDifficulty(model: DifficultyEstimate, features: ProbeFeatures): { estimate: number; missing: ProbeFeature[] } {
  const missing: ProbeFeature[] = [];
  let logit = model.bias;
  model.features.forEach((name, index) => {
    const value = features[name];
    if (value === undefined) missing.push(name);
    else logit += (model.weights[index] ?? 0) * ((value - (model.mean[index] ?? 0)) / (model.scale[index] ?? 1));
  });
  return { estimate: 1 / (1 + Math.exp(-logit)), missing };
}

/** Fits the logistic model by Newton's method (a handful of features, a few hundred questions). */
export function fitDifficultyEstimate(options: { features: ProbeFeature[]; rows: ProbeFeatures[]; right: boolean[]; ridge?: number }): DifficultyEstimate {
  const { features, rows, right } = options;
  const ridge = options.ridge ?? 1e-2;
  const columns = features.map((name) => rows.map((row) => row[name] ?? 0));
  const mean = columns.map((column) => column.reduce((sum, value) => sum + value, 0) / Math.max(1, column.length));
  const scale = columns.map((column, index) => {
    const variance = column.reduce((sum, value) => sum + (value - (mean[index] ?? 0)) ** 2, 0) / Math.max(1, column.length);
    return Math.sqrt(variance) || 1;
  });
  const x = rows.map((_, row) => [1, ...columns.map((column, index) => ((column[row] ?? 0) - (mean[index] ?? 0)) / (scale[index] ?? 1))]);
  const size = features.length + 1;
  let beta = new Array<number>(size).fill(0);
  for (let iteration = 0; iteration < 50; iteration++) {
    const gradient = beta.map((value, index) => (index === 0 ? 0 : ridge * value));
    const hessian = Array.from({ length: size }, (_, i) => Array.from({ length: size }, (_, j) => (i === j && i > 0 ? ridge : 0)));
    x.forEach((xi, row) => {
      const p = 1 / (1 + Math.exp(-xi.reduce((sum, value, index) => sum + value * (beta[index] ?? 0), 0)));
      const weight = Math.max(p * (1 - p), 1e-9);
      for (let i = 0; i < size; i++) {
        gradient[i] = (gradient[i] ?? 0) + ((right[row] ? 1 : 0) - p) * -(xi[i] ?? 0);
        for (let j = 0; j < size; j++) (hessian[i] as number[])[j] = ((hessian[i] as number[])[j] ?? 0) + weight * (xi[i] ?? 0) * (xi[j] ?? 0);
      }
    });
    const step = solve(hessian, gradient);
    beta = beta.map((value, index) => value - (step[index] ?? 0));
    if (step.every((value) => Math.abs(value) < 1e-8)) break;
  }
  return { features, mean, scale, weights: beta.slice(1), bias: beta[0] ?? 0 };
}

/** Gaussian elimination with partial pivoting (the Hessian is small and positive definite). */
function solve(matrix: number[][], vector: number[]): number[] {
  const size = vector.length;
  const a = matrix.map((row, index) => [...row, vector[index] ?? 0]);
  for (let column = 0; column < size; column++) {
    let pivot = column;
    for (let row = column + 1; row < size; row++) if (Math.abs(a[row]?.[column] ?? 0) > Math.abs(a[pivot]?.[column] ?? 0)) pivot = row;
    [a[column], a[pivot]] = [a[pivot] as number[], a[column] as number[]];
    const head = a[column] as number[];
    for (let row = column + 1; row < size; row++) {
      const current = a[row] as number[];
      const factor = (current[column] ?? 0) / (head[column] || 1e-12);
      for (let k = column; k <= size; k++) current[k] = (current[k] ?? 0) - factor * (head[k] ?? 0);
    }
  }
  const result = new Array<number>(size).fill(0);
  for (let row = size - 1; row >= 0; row--) {
    const current = a[row] as number[];
    let sum = current[size] ?? 0;
    for (let k = row + 1; k < size; k++) sum -= (current[k] ?? 0) * (result[k] ?? 0);
    result[row] = sum / (current[row] || 1e-12);
  }
  return result;
}
