import { describe, expect, it } from "vitest";
import { sampleToken } from "../src/internal/sample-token.js";
import { createRandom } from "../src/internal/seeded-random.js";

const distribution = new Map([
  [0, 0.5],
  [1, 0.3],
  [2, 0.15],
  [3, 0.05],
]);

/** How often each token is drawn in `draws` samples. */
function frequencies(options: Omit<Parameters<typeof sampleToken<number>>[0], "random">, draws = 4000): Map<number, number> {
  const random = createRandom(3);
  const counts = new Map<number, number>();
  for (let draw = 0; draw < draws; draw++) {
    const token = sampleToken({ ...options, random });
    counts.set(token, (counts.get(token) ?? 0) + 1);
  }
  return new Map([...counts].map(([token, count]) => [token, count / draws]));
}

describe("the embedded models' sampler", () => {
  it("keeps the plain distribution without a shape (within 0.03 over 4,000 draws)", () => {
    const seen = frequencies({ probabilities: distribution, temperature: 1, topP: 1 });
    for (const [token, probability] of distribution) expect(Math.abs((seen.get(token) ?? 0) - probability)).toBeLessThan(0.03);
  });

  it("top-k and min-p cut the tail", () => {
    expect([...frequencies({ probabilities: distribution, temperature: 1, topP: 1, shape: { topK: 2 } }).keys()].sort()).toEqual([0, 1]);
    // min-p 0.4: tokens under 0.4 × 0.5 = 0.2 go.
    expect([...frequencies({ probabilities: distribution, temperature: 1, topP: 1, shape: { minP: 0.4 } }).keys()].sort()).toEqual([0, 1]);
  });

  it("a logit bias moves greedy choice and sampling; -100 removes a token", () => {
    expect(sampleToken({ probabilities: distribution, temperature: 0, topP: 1, random: createRandom(1), shape: { logitBias: new Map([[3, 5]]) } })).toBe(3);
    expect(frequencies({ probabilities: distribution, temperature: 1, topP: 1, shape: { logitBias: new Map([[0, -100]]) } }).has(0)).toBe(false);
  });

  it("presence and frequency penalties lower generated tokens by their counts (exp(-penalty) in odds, within 0.03)", () => {
    const generated = new Map([[0, 2]]);
    // Token 0's odds against token 1 fall from 5:3 by exp(-(0.5 + 0.25 × 2)) = exp(-1).
    const seen = frequencies({ probabilities: distribution, temperature: 1, topP: 1, shape: { presencePenalty: 0.5, frequencyPenalty: 0.25, generated } });
    const expected = (0.5 * Math.exp(-1)) / (0.5 * Math.exp(-1) + 0.5);
    expect(Math.abs((seen.get(0) ?? 0) - expected)).toBeLessThan(0.03);
  });

  it("a repetition penalty multiplies a generated token's log-probability", () => {
    const generated = new Map([[1, 1]]);
    // log 0.3 × 2 = log 0.09: token 1 keeps 0.09 against the others' 0.7.
    const seen = frequencies({ probabilities: distribution, temperature: 1, topP: 1, shape: { repetitionPenalty: 2, generated } });
    expect(Math.abs((seen.get(1) ?? 0) - 0.09 / 0.79)).toBeLessThan(0.03);
  });
});
