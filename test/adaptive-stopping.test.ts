import { afterAll, describe, expect, it } from "vitest";
import { BUNDLED_PRM_MODEL, createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { InvalidArgumentError } from "../src/core/errors/invalid-argument-error.js";
import type { Verifier } from "../src/core/verifier.js";
import { createStrategy } from "../src/runtime/create-strategy.js";
import { createAdaptiveConsistency } from "../src/strategies/vote/adaptive-consistency.js";
import { createEsc } from "../src/strategies/vote/esc.js";
import { createLeaderThreshold } from "../src/strategies/vote/leader-threshold.js";
import { createSelfConsistency } from "../src/strategies/vote/self-consistency.js";
import { betaStoppingProbability, leaderShareRule, windowRule } from "../src/strategies/vote/stopping-rules.js";
import { loadSplit, tasks } from "../src/tasks/splits.js";
import { createProcessRewardModel } from "../src/verifiers/process-reward-model.js";
import { createScriptedModel } from "./helpers/scripted-model.js";

describe("stopping rules", () => {
  it("computes the Beta criterion exactly", () => {
    expect(betaStoppingProbability(3, 0)).toBeCloseTo(15 / 16);
    expect(betaStoppingProbability(4, 0)).toBeCloseTo(31 / 32);
    expect(betaStoppingProbability(5, 1)).toBeCloseTo(1 - 8 / 128);
    expect(betaStoppingProbability(2, 2)).toBeCloseTo(0.5);
    expect(betaStoppingProbability(200, 150)).toBeGreaterThan(0.99);
  });

  it("ESC needs a unanimous window; leader-threshold needs a share of enough samples", () => {
    expect(windowRule({ window: 3 }).shouldStop(["1", "2", "2", "2"])).toBe(true);
    expect(windowRule({ window: 3 }).shouldStop(["2", "2", undefined])).toBe(false);
    expect(leaderShareRule().shouldStop(["1", "1", "1"])).toBe(false);
    expect(leaderShareRule().shouldStop(["1", "1", "1", "2"])).toBe(true);
  });
});

describe("adaptive strategies (scripted mechanics)", () => {
  it("stop at the first settled point and vote over what they sampled", async () => {
    const model = createScriptedModel(["#### 7"]);
    const result = await createAdaptiveConsistency({ waveSize: 1 }).run({ model, call: { prompt: "p" } });
    expect(result).toMatchObject({ answer: "7", stopReason: "adaptive", confidence: 1 });
    expect(result.candidates).toHaveLength(4); // after 4 unanimous samples P = 31/32 >= 0.95
    const esc = await createEsc({ window: 3 }).run({ model: createScriptedModel(["#### 1", "#### 2", "#### 2", "#### 2", "#### 2"]), call: { prompt: "p" } });
    expect(esc).toMatchObject({ answer: "2", stopReason: "adaptive" });
    expect(esc.candidates).toHaveLength(4); // the window 2, 2, 2 closes at the 4th sample; the rest of its wave is dropped
  });

  it("use every sample up to the cap when the answer never settles", async () => {
    const result = await createLeaderThreshold({ maxSamples: 6, waveSize: 2 }).run({
      model: createScriptedModel(["#### 1", "#### 2", "#### 3"]),
      call: { prompt: "p" },
    });
    expect(result.stopReason).toBe("completed");
    expect(result.candidates).toHaveLength(6);
  });

  it("stop at a verified answer when the vote never settles (verifiedStop), scoring each sample once", async () => {
    const scored: string[] = [];
    const verifier: Verifier = {
      name: "lookup",
      score: async ({ solution }) => {
        scored.push(solution);
        return { score: solution === "#### 3" ? 0.995 : 0.5 };
      },
    };
    const model = createScriptedModel(["#### 1", "#### 2", "#### 3", "#### 4"]);
    const result = await createAdaptiveConsistency({ waveSize: 1, maxSamples: 16, verifiedStop: 0.99, verifier }).run({ model, call: { prompt: "p" } });
    expect(result).toMatchObject({ answer: "3", stopReason: "adaptive" });
    expect(result.confidence).toBeCloseTo(0.995, 6);
    expect(result.candidates).toHaveLength(3);
    expect(scored).toEqual(["#### 1", "#### 2", "#### 3"]);
    expect(result.trace.find((event) => event.type === "vote")?.data).toMatchObject({ answer: "3" });
    expect(result.trace.some((event) => event.type === "rule-fired" && event.data.rule.startsWith("verified-stop"))).toBe(true);
    // Below the threshold nothing is verified: the vote runs to its cap.
    const unverified = await createAdaptiveConsistency({ waveSize: 2, maxSamples: 8, verifiedStop: 0.999, verifier }).run({
      model: createScriptedModel(["#### 1", "#### 2", "#### 3", "#### 4"]),
      call: { prompt: "p" },
    });
    expect(unverified.stopReason).toBe("completed");
    expect(unverified.candidates).toHaveLength(8);
    expect(() => createAdaptiveConsistency({ verifiedStop: 0.99 })).toThrow(/needs a verifier/);
    expect(() => createAdaptiveConsistency({ verifiedStop: 1.5, verifier })).toThrow(/verifiedStop/);
  });

  it("validate options and are selectable by name", () => {
    expect(() => createAdaptiveConsistency({ maxSamples: 0 })).toThrow(InvalidArgumentError);
    expect(() => createEsc({ waveSize: -1 })).toThrow(/waveSize/);
    for (const name of ["adaptive-consistency", "esc", "leader-threshold"]) expect(createStrategy({ name }).name).toBe(name);
  });
});

describe("adaptive-consistency on the bundled policy", () => {
  const model = createLlamaCppModel();
  afterAll(() => model.dispose());

  it("stops early on an easy problem, cancelling samples in flight, and spends far less than a full run", async () => {
    const prompt = "Q: 12*(7+8)-9\nA: ";
    const adaptive = await createAdaptiveConsistency({ maxSamples: 32 }).run({ model, call: { prompt, seed: 5 } });
    const full = await createSelfConsistency({ n: 32 }).run({ model, call: { prompt, seed: 5 } });
    expect(adaptive).toMatchObject({ answer: "171", stopReason: "adaptive" });
    expect(adaptive.candidates.length).toBeLessThan(12);
    expect(adaptive.usage.completionTokens).toBeLessThan(full.usage.completionTokens / 2);
    // Tokens counted include the cancelled samples' partial tokens, so usage covers the candidates and more.
    expect(adaptive.usage.completionTokens).toBeGreaterThanOrEqual(adaptive.candidates.reduce((sum, candidate) => sum + candidate.completionTokens, 0));
    expect(adaptive.trace.some((event) => event.type === "rule-fired")).toBe(true);
  });
});

describe("adaptive-consistency with a verified stop on the bundled policy and PRM", () => {
  const model = createLlamaCppModel();
  const prmModel = createLlamaCppModel({ modelPath: BUNDLED_PRM_MODEL, sequences: 2 });
  afterAll(async () => {
    await model.dispose();
    await prmModel.dispose();
  });

  it("stops on a countdown solution the PRM vouches for, which the exact checker confirms", async () => {
    const [problem] = loadSplit({ task: "countdown", difficulty: "medium", limit: 1 });
    if (!problem) throw new Error("no countdown problem");
    const verifier = createProcessRewardModel({ model: prmModel });
    const result = await createAdaptiveConsistency({ maxSamples: 24, waveSize: 1, verifiedStop: 0.99, verifier }).run({
      model,
      call: { prompt: problem.prompt, seed: 11 },
    });
    expect(result.trace.some((event) => event.type === "rule-fired" && event.data.rule.startsWith("verified-stop"))).toBe(true);
    expect(result.candidates.length).toBeLessThan(24);
    expect(result.confidence).toBeGreaterThanOrEqual(0.99);
    expect(tasks.countdown.check({ problem, solution: result.text }).correct).toBe(true);
    expect(result.verifierTokens ?? 0).toBeGreaterThan(0);
  });
});
