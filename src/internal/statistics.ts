import { createRandom } from "./seeded-random.js";

/** Area under the ROC curve (probability a random positive outscores a random negative; ties count half). */
export function areaUnderRoc(scores: number[], labels: boolean[]): number {
  const pairs = scores.map((score, index) => ({ score, label: labels[index] === true })).sort((a, b) => a.score - b.score);
  let rankSum = 0;
  let positives = 0;
  for (let start = 0; start < pairs.length; ) {
    let end = start;
    while (end + 1 < pairs.length && pairs[end + 1]?.score === pairs[start]?.score) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let index = start; index <= end; index++) {
      if (pairs[index]?.label) {
        rankSum += averageRank;
        positives++;
      }
    }
    start = end + 1;
  }
  const negatives = pairs.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean with a 95% percentile bootstrap interval. */
export function bootstrapMean(values: number[], options: { resamples?: number; seed?: number } = {}): { mean: number; low: number; high: number } {
  const mean = values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  if (values.length === 0) return { mean: Number.NaN, low: Number.NaN, high: Number.NaN };
  const random = createRandom(options.seed ?? 1);
  const means: number[] = [];
  for (let resample = 0; resample < (options.resamples ?? 2000); resample++) {
    let sum = 0;
    for (let index = 0; index < values.length; index++) sum += values[random.integer(0, values.length - 1)] as number;
    means.push(sum / values.length);
  }
  means.sort((a, b) => a - b);
  return { mean, low: means[Math.floor(means.length * 0.025)] as number, high: means[Math.floor(means.length * 0.975)] as number };
}

/** Unbiased pass@k from n samples with c correct (Chen et al., 2021). */
export function passAtK(n: number, c: number, k: number): number {
  if (n - c < k) return 1;
  let product = 1;
  for (let index = n - c + 1; index <= n; index++) product *= 1 - k / index;
  return 1 - product;
}
