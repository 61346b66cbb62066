/** How alike candidates are, for selections that need no answer key or reward model (MBR, ST-BoN), written once. */
import type { Candidate } from "../core/strategy-report.js";

/** Word-overlap F1 of two texts (case and punctuation aside): 1 for the same words, 0 for none in common. */
export function wordF1(first: string, second: string): number {
  const words = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? [];
  const a = words(first);
  const b = words(second);
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const word of a) counts.set(word, (counts.get(word) ?? 0) + 1);
  let common = 0;
  for (const word of b) {
    const left = counts.get(word) ?? 0;
    if (left > 0) {
      common++;
      counts.set(word, left - 1);
    }
  }
  return common === 0 ? 0 : (2 * common) / (a.length + b.length);
}

/** Each candidate's mean similarity to the others. */
export function meanSimilarities(candidates: readonly Candidate[], similarity: (a: Candidate, b: Candidate) => number): number[] {
  const sums = new Array<number>(candidates.length).fill(0);
  for (let i = 0; i < candidates.length; i++)
    for (let j = i + 1; j < candidates.length; j++) {
      const value = similarity(candidates[i] as Candidate, candidates[j] as Candidate);
      sums[i] = (sums[i] as number) + value;
      sums[j] = (sums[j] as number) + value;
    }
  return sums.map((sum) => (candidates.length > 1 ? sum / (candidates.length - 1) : 1));
}
