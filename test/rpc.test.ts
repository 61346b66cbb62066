import { afterAll, describe, expect, it } from "vitest";
import { createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import type { Candidate } from "../src/core/strategy.js";
import { createRandom } from "../src/internal/seeded-random.js";
import { fitWeibullMixture, gamma, highComponentPosterior } from "../src/internal/weibull-mixture.js";
import { createRpc, perplexityConsistency } from "../src/strategies/vote/rpc.js";
import { loadSplit } from "../src/tasks/splits.js";
import { createScriptedModel } from "./helpers/scripted-model.js";

describe("Weibull mixture", () => {
  it("computes gamma and separates two clusters", () => {
    expect(gamma(5)).toBeCloseTo(24, 6);
    expect(gamma(0.5)).toBeCloseTo(Math.sqrt(Math.PI), 6);
    const random = createRandom(3);
    const values = [...Array.from({ length: 30 }, () => 0.9 + 0.05 * random.next()), ...Array.from({ length: 30 }, () => 0.3 + 0.1 * random.next())];
    const mixture = fitWeibullMixture(values);
    expect(highComponentPosterior(0.92, mixture)).toBeGreaterThan(0.9);
    expect(highComponentPosterior(0.33, mixture)).toBeLessThan(0.1);
  });
});

describe("perplexity consistency", () => {
  const candidate = (answer: string, meanLogprob: number, text = `${answer}-${meanLogprob}`): Candidate => ({
    text,
    answer,
    finishReason: "stop",
    completionTokens: 5,
    meanLogprob,
  });

  it("prunes low-probability paths and counts duplicate completions once", () => {
    const high = Math.log(0.95);
    const low = Math.log(0.2);
    const candidates = [
      candidate("7", high, "same"),
      candidate("7", high, "same"),
      candidate("7", high, "other"),
      candidate("3", low),
      candidate("3", low - 0.01),
      candidate("3", low - 0.02),
      candidate("3", low - 0.03),
      candidate("7", high - 0.01, "x"),
    ];
    const result = perplexityConsistency(candidates);
    expect(result.answer).toBe("7");
    expect(result.pruned).toBe(4);
    expect(result.votes["7"]).toBeCloseTo(0.95 * 2 + Math.exp(high - 0.01));
    expect(result.confidence).toBe(1);
  });

  it("falls back to plain voting with a warning where the backend has no log-probabilities", async () => {
    const result = await createRpc({ n: 3 }).run({ model: createScriptedModel(["#### 1", "#### 2", "#### 2"]), call: { prompt: "p" } });
    expect(result.answer).toBe("2");
    expect(result.warnings).toEqual([expect.objectContaining({ type: "unsupported", feature: "logprobs" })]);
  });
});

describe("rpc on the bundled policy", () => {
  const model = createLlamaCppModel();
  afterAll(() => model.dispose());

  it("weights answers by path probability", async () => {
    const problem = loadSplit({ task: "arith", difficulty: "hard", limit: 2 })[1]!;
    const result = await createRpc({ n: 8 }).run({ model, call: { prompt: problem.prompt, seed: 4 } });
    expect(result.warnings).toEqual([]);
    expect(result.candidates.every((item) => item.meanLogprob !== undefined)).toBe(true);
    const total = Object.values(result.votes).reduce((sum, value) => sum + value, 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(8);
    expect(result.confidence).toBeCloseTo((result.votes[result.answer!] ?? 0) / total);
  });
});
