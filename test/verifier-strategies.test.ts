import { afterAll, describe, expect, it } from "vitest";
import { BUNDLED_PRM_MODEL, createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import type { Verifier } from "../src/core/verifier.js";
import { createStrategy } from "../src/runtime/create-strategy.js";
import { createBestOfN } from "../src/strategies/select/best-of-n.js";
import { createComplexityVote } from "../src/strategies/vote/complexity-vote.js";
import { createWeightedVote } from "../src/strategies/vote/weighted-vote.js";
import { loadSplit, tasks } from "../src/tasks/splits.js";
import { formatPrmInput } from "../src/verifiers/prm-format.js";
import { createProcessRewardModel } from "../src/verifiers/process-reward-model.js";
import { createScriptedModel } from "./helpers/scripted-model.js";

/** A scripted verifier for mechanics: scores by a lookup on the solution text. */
const lookupVerifier = (scores: Record<string, number>): Verifier => ({ name: "lookup", score: async ({ solution }) => ({ score: scores[solution] ?? 0 }) });

describe("selection mechanics (scripted)", () => {
  it("best-of-n takes the top score, ties to the earliest sample", async () => {
    const model = createScriptedModel(["a\n#### 1", "b\n#### 2", "c\n#### 3"]);
    const result = await createBestOfN({ n: 3, verifier: lookupVerifier({ "a\n#### 1": 0.5, "b\n#### 2": 0.9, "c\n#### 3": 0.9 }) }).run({
      model,
      call: { prompt: "p" },
    });
    expect(result).toMatchObject({ answer: "2", confidence: 0.9, text: "b\n#### 2" });
    expect(result.candidates.map((candidate) => candidate.score)).toEqual([0.5, 0.9, 0.9]);
  });

  it("weighted vote sums verifier scores per answer", async () => {
    const model = createScriptedModel(["x\n#### 1", "y\n#### 1", "z\n#### 2"]);
    const result = await createWeightedVote({ n: 3, verifier: lookupVerifier({ "x\n#### 1": 0.2, "y\n#### 1": 0.2, "z\n#### 2": 0.9 }) }).run({
      model,
      call: { prompt: "p" },
    });
    expect(result.answer).toBe("2");
    expect(result.votes["1"]).toBeCloseTo(0.4);
  });

  it("complexity vote lets only the candidates with the most steps vote", async () => {
    const model = createScriptedModel(["#### 5", "#### 5", "a\nb\nc\n#### 9", "a\nb\n#### 9"]);
    const result = await createComplexityVote({ n: 4, k: 2 }).run({ model, call: { prompt: "p" } });
    expect(result.votes).toEqual({ "9": 2 });
    expect(createStrategy({ name: "complexity-vote", options: { n: 4 } }).name).toBe("complexity-vote");
  });

  it("refuses best-of-n without a verifier", () => {
    expect(() => createStrategy({ name: "best-of-n" })).toThrow(/needs a verifier/);
    expect(() => createWeightedVote({ weightBy: "verifier" })).toThrow(/needs a verifier/);
  });
});

describe("best-of-n with the bundled PRM on the bundled policy", () => {
  const policy = createLlamaCppModel();
  const prmModel = createLlamaCppModel({ modelPath: BUNDLED_PRM_MODEL, sequences: 2 });
  afterAll(async () => {
    await policy.dispose();
    await prmModel.dispose();
  });

  it("scores every candidate and picks the best; correct solutions score higher", async () => {
    const verifier = createProcessRewardModel({ model: prmModel, aggregation: "last" });
    const correctScores: number[] = [];
    const wrongScores: number[] = [];
    for (const [index, problem] of loadSplit({ task: "countdown", difficulty: "medium", limit: 4 }).entries()) {
      const result = await createBestOfN({ n: 8, verifier }).run({ model: policy, call: { prompt: problem.prompt, seed: index, maxTokens: 120 } });
      const scores = result.candidates.map((candidate) => candidate.score ?? -1);
      for (const score of scores) expect(score).toBeGreaterThanOrEqual(0);
      expect(result.confidence).toBe(Math.max(...scores));
      // PRM tokens are counted apart from the policy's: at least a token for each distinct candidate (duplicates
      // share one evaluation), at most the whole formatted text of each (character-level vocabulary, plus BOS).
      const distinct = [...new Set(result.candidates.map((candidate) => candidate.text))].filter((text) => text.trim().length > 0);
      expect(result.verifierTokens).toBeGreaterThanOrEqual(distinct.length);
      expect(result.verifierTokens).toBeLessThanOrEqual(
        distinct.reduce((sum, text) => sum + formatPrmInput({ prompt: problem.prompt, solution: text }).text.length + 1, 0),
      );
      for (const candidate of result.candidates)
        (tasks.countdown.check({ problem, solution: candidate.text }).correct ? correctScores : wrongScores).push(candidate.score ?? 0);
    }
    expect(correctScores.length).toBeGreaterThan(0);
    expect(wrongScores.length).toBeGreaterThan(0);
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(mean(correctScores)).toBeGreaterThan(mean(wrongScores) + 0.3);
  });
});
