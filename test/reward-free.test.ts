import { afterAll, describe, expect, it } from "vitest";
import { BUNDLED_CHAT_MODEL, createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import type { TokenLogprob } from "../src/core/generate-result.js";
import type { StrategyResult } from "../src/core/strategy.js";
import { tokenSelfCertainty } from "../src/internal/token-confidence.js";
import { aggregationTemplate, createRecursiveSelfAggregation } from "../src/strategies/compose/recursive-self-aggregation.js";
import { createUniversalSelfConsistency } from "../src/strategies/compose/universal-self-consistency.js";
import { meanSimilarities, wordF1 } from "../src/strategies/mean-similarity.js";
import { createMinimumBayesRisk } from "../src/strategies/select/minimum-bayes-risk.js";
import { bordaWeights, certaintyOf, createSelfCertainty } from "../src/strategies/select/self-certainty.js";
import { createSelfTruncationBestOfN, divergencePoint } from "../src/strategies/select/self-truncation-best-of-n.js";
import { createShortMAtK } from "../src/strategies/vote/short-m-at-k.js";

const policy = createLlamaCppModel();
afterAll(() => policy.dispose());
const call = { prompt: "Q: 44-(15+(37*1-88))-63-47+81\nA: ", maxTokens: 300, seed: 5 };

describe("the parts", () => {
  it("self-certainty of a token is -log of the mass outside its top-k", () => {
    const token = (probabilities: number[]): TokenLogprob => ({
      token: "x",
      logprob: Math.log(probabilities[0] as number),
      topLogprobs: probabilities.map((p) => ({ token: "x", logprob: Math.log(p) })),
    });
    expect(tokenSelfCertainty(token([0.5, 0.25]))).toBeCloseTo(-Math.log(0.25), 9);
    // A sure token is capped: -log(1e-6).
    expect(tokenSelfCertainty(token([1]))).toBeCloseTo(-Math.log(1e-6), 9);
  });

  it("Borda weights rank r of n as (n - r + 1)^p, ties sharing", () => {
    expect(bordaWeights([0.1, 0.9, 0.5], 1)).toEqual([1, 3, 2]);
    expect(bordaWeights([0.5, 0.5, 0.1], 1)).toEqual([2.5, 2.5, 1]);
    expect(bordaWeights([3, 2, 1], 0)).toEqual([1, 1, 1]);
  });

  it("word F1 and the divergence point", () => {
    expect(wordF1("a b c", "a b c")).toBe(1);
    expect(wordF1("a b", "c d")).toBe(0);
    expect(wordF1("the cat sat", "the cat ran")).toBeCloseTo(2 / 3, 9);
    expect(divergencePoint(["abcX", "abcY", "abZ"])).toBe(3);
    expect(divergencePoint(["abc", "abcd"])).toBeUndefined();
    expect(divergencePoint(["abX", "abX", "aY"])).toBe(2);
    expect(divergencePoint(["ab", "ab"])).toBeUndefined();
  });
});

describe("reward-free selection on the bundled policy", () => {
  it("self-certainty keeps the sample the model was most certain of", async () => {
    const result = await createSelfCertainty({ n: 8, temperature: 1 }).run({ model: policy, call });
    const values = result.candidates.map((candidate) => certaintyOf(candidate, "self-certainty") as number);
    expect(values.every((value) => Number.isFinite(value) && value > 0)).toBe(true);
    const best = values.indexOf(Math.max(...values));
    expect(result.text).toBe(result.candidates[best]?.text);
  });

  it("mbr returns a sample with the highest mean agreement", async () => {
    const result = await createMinimumBayesRisk({ n: 8, temperature: 1, similarity: "f1" }).run({ model: policy, call });
    const similarities = meanSimilarities(result.candidates, (a, b) => wordF1(a.text, b.text));
    const chosen = result.candidates.findIndex((candidate) => candidate.text === result.text);
    expect(similarities[chosen]).toBeCloseTo(Math.max(...similarities), 12);
  });
});

describe("stopping parallel traces early, on the bundled policy", () => {
  const spent = (result: StrategyResult) => result.usage.completionTokens;

  it("short-m@k votes among the first m to finish, cancels the rest and counts their tokens", async () => {
    const result = await createShortMAtK({ k: 8, m: 3, temperature: 1.2 }).run({ model: policy, call });
    expect(result.candidates).toHaveLength(3);
    expect(result.usage.calls).toBe(8);
    const voters = result.candidates.reduce((sum, candidate) => sum + candidate.completionTokens, 0);
    // The cancelled traces wrote tokens too, and they are in the usage.
    expect(spent(result)).toBeGreaterThan(voters);
    expect(Object.values(result.votes).reduce((sum, count) => sum + count, 0)).toBeLessThanOrEqual(3);
  });

  it("short-m@k and ST-BoN stop on a token budget and when aborted", async () => {
    const long = { ...call, seed: 9 };
    // All eight must finish for short-m@8@8: a 600-token budget stops it first.
    const budgeted = await createShortMAtK({ k: 8, m: 8, temperature: 3 }).run({ model: policy, call: long, budget: { maxTokens: 600 } });
    expect(budgeted.stopReason).toBe("budget");
    expect(budgeted.usage.promptTokens + budgeted.usage.completionTokens).toBeLessThanOrEqual(600 + 8 * 300);
    for (const strategy of [createShortMAtK({ k: 8, m: 3, temperature: 3 }), createSelfTruncationBestOfN({ n: 8, temperature: 3 })]) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 20);
      const started = Date.now();
      const result = await strategy.run({ model: policy, call: long, abortSignal: controller.signal });
      expect(result.stopReason).toBe("abort");
      expect(Date.now() - started).toBeLessThan(3000);
    }
  });

  it("ST-BoN truncates all but one trace once they diverge", async () => {
    const result = await createSelfTruncationBestOfN({ n: 8, temperature: 1.5 }).run({ model: policy, call });
    expect(result.candidates.length).toBeLessThan(8);
    expect(result.candidates.some((candidate) => candidate.text === result.text)).toBe(true);
  });
});

describe("usc and rsa on the bundled chat model", () => {
  const chat = createLlamaCppModel({ modelPath: BUNDLED_CHAT_MODEL });
  afterAll(() => chat.dispose());
  const question = {
    prompt: [{ role: "user" as const, content: "Tom has 12 apples and buys 3 bags of 5 apples. How many apples does he have now?" }],
    maxTokens: 256,
  };

  it("samples n responses, asks the model for the most consistent, and returns one of them", async () => {
    const result = await createUniversalSelfConsistency({ n: 4 }).run({
      model: chat,
      call: { ...question, seed: 2 },
    });
    // One call for the samples, one for the choice, both counted.
    expect(result.usage.calls).toBe(2);
    expect(result.candidates.map((candidate) => candidate.text)).toContain(result.text);
  });

  it("rsa writes each round's solutions from k of the last and votes over the last round", async () => {
    const solution = (text: string) => ({ text, answer: text, finishReason: "stop" as const, completionTokens: 1 });
    expect(aggregationTemplate("What is 2+3?", [solution("5"), solution("6")])).toContain("Solution 2:\n6");
    const result = await createRecursiveSelfAggregation({ n: 3, k: 2, rounds: 1 }).run({
      model: chat,
      call: { ...question, seed: 3 },
    });
    // The first population in one call, then one call per new solution; all six solutions are reported.
    expect(result.usage.calls).toBe(4);
    expect(result.candidates).toHaveLength(6);
    const last = result.candidates.slice(3);
    expect(last.map((candidate) => candidate.text)).toContain(result.text);
  });
});
