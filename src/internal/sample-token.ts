import type { Random } from "./seeded-random.js";

/**
 * Picks the next token from a next-token distribution: greedy at temperature 0, otherwise
 * temperature scaling and nucleus (top-p) filtering, drawn with a seeded generator.
 */
export function sampleToken<T extends number>(options: { probabilities: ReadonlyMap<T, number>; temperature: number; topP: number; random: Random }): T {
  const { probabilities, temperature, topP, random } = options;
  let best = -1 as T;
  let bestProbability = -1;
  for (const [token, probability] of probabilities) {
    if (probability > bestProbability) {
      best = token;
      bestProbability = probability;
    }
  }
  if (temperature <= 0 || probabilities.size <= 1) return best;
  const scaled: [T, number][] = [];
  let total = 0;
  for (const [token, probability] of probabilities) {
    if (probability <= 0) continue;
    const weight = probability ** (1 / temperature);
    scaled.push([token, weight]);
    total += weight;
  }
  scaled.sort((a, b) => b[1] - a[1]);
  let kept = scaled;
  if (topP < 1) {
    let cumulative = 0;
    const cut = scaled.findIndex(([, weight]) => {
      cumulative += weight / total;
      return cumulative >= topP;
    });
    kept = scaled.slice(0, cut === -1 ? scaled.length : cut + 1);
    total = kept.reduce((sum, [, weight]) => sum + weight, 0);
  }
  let draw = random.next() * total;
  for (const [token, weight] of kept) {
    draw -= weight;
    if (draw <= 0) return token;
  }
  return kept.at(-1)?.[0] ?? best;
}
