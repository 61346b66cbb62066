import { afterAll, describe, expect, it } from "vitest";
import { createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import type { Verifier } from "../src/core/verifier.js";
import { createStrategy, strategyNames } from "../src/runtime/create-strategy.js";
import { createRepeatedSampling } from "../src/strategies/select/repeated-sampling.js";
import { createVerifiedResample } from "../src/strategies/select/verified-resample.js";
import { loadSplit, tasks } from "../src/tasks/splits.js";
import { createTaskOracle } from "../src/tasks/task-oracle.js";
import { createScriptedModel } from "./helpers/scripted-model.js";

describe("verified resampling (scripted)", () => {
  it("stops at the first accepted sample, and never samples past the cap", async () => {
    const scores: Record<string, number> = { "#### 1": 0.1, "#### 2": 0.8, "#### 3": 0.3 };
    const verifier: Verifier = { name: "lookup", score: async ({ solution }) => ({ score: scores[solution] ?? 0 }) };
    const accepted = await createVerifiedResample({ verifier }).run({ model: createScriptedModel(["#### 1", "#### 2", "#### 3"]), call: { prompt: "p" } });
    expect(accepted).toMatchObject({ answer: "2", stopReason: "adaptive" });
    expect(accepted.candidates).toHaveLength(2);
    const capped = await createVerifiedResample({ verifier, maxSamples: 3, threshold: 0.9 }).run({
      model: createScriptedModel(["#### 1", "#### 3", "#### 1"]),
      call: { prompt: "p" },
    });
    expect(capped).toMatchObject({ answer: "3", stopReason: "completed" });
    expect(capped.candidates).toHaveLength(3);
  });

  it("every sampling strategy of the registry is selectable by name", () => {
    expect(strategyNames).toEqual(
      expect.arrayContaining([
        "single",
        "self-consistency",
        "best-of-n",
        "weighted-vote",
        "complexity-vote",
        "adaptive-consistency",
        "esc",
        "leader-threshold",
        "verified-resample",
        "repeated-sampling",
      ]),
    );
    expect(() => createStrategy({ name: "verified-resample" })).toThrow(/needs a verifier/);
  });
});

describe("with the task oracle on the bundled policy (an experiment: the oracle knows the truth)", () => {
  const model = createLlamaCppModel();
  afterAll(() => model.dispose());

  it("verified-resample returns a checked-correct solution when one is found; repeated sampling reports coverage", async () => {
    const oracle = createTaskOracle({ task: "countdown" });
    expect(oracle.name).toBe("oracle:countdown");
    const problem = loadSplit({ task: "countdown", difficulty: "easy", limit: 1 })[0]!;
    const result = await createVerifiedResample({ verifier: oracle, maxSamples: 16 }).run({ model, call: { prompt: problem.prompt, seed: 1, maxTokens: 100 } });
    if (result.stopReason === "adaptive") expect(tasks.countdown.check({ problem, solution: result.text }).correct).toBe(true);
    else expect(result.candidates).toHaveLength(16);
    const repeated = await createRepeatedSampling({ verifier: oracle, n: 8 }).run({ model, call: { prompt: problem.prompt, seed: 2, maxTokens: 100 } });
    const event = repeated.trace.find((item) => item.type === "coverage");
    if (event?.type !== "coverage") throw new Error("repeated sampling with an oracle reports coverage");
    const coverage: Record<string, number> = { correct: event.data.correct, ...event.data.passAtK };
    const correct = repeated.candidates.filter((candidate) => tasks.countdown.check({ problem, solution: candidate.text }).correct).length;
    expect(coverage.correct).toBe(correct);
    expect(coverage["pass@1"]).toBeCloseTo(correct / 8);
    expect(coverage["pass@8"]).toBe(correct > 0 ? 1 : 0);
    expect(coverage["pass@2"]).toBeGreaterThanOrEqual(coverage["pass@1"]!);
  });
});
