import { afterAll, describe, expect, it } from "vitest";
import { createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { InvalidArgumentError } from "../src/core/errors/invalid-argument-error.js";
import type { StreamPart } from "../src/core/stream-part.js";
import { strategyModel } from "../src/runtime/strategy-model.js";
import { createSelfConsistency } from "../src/strategies/vote/self-consistency.js";
import { createSingle } from "../src/strategies/vote/single.js";
import { loadSplit } from "../src/tasks/splits.js";
import { readAll } from "./helpers/read-stream.js";
import { createScriptedModel } from "./helpers/scripted-model.js";

const model = createLlamaCppModel();
afterAll(() => model.dispose());

describe("single and self-consistency on the bundled policy", () => {
  it("single answers greedily with usage and a confidence", async () => {
    const result = await createSingle().run({ model, call: { prompt: "Q: 2+3*4\nA: " } });
    expect(result).toMatchObject({ answer: "14", stopReason: "completed", votes: { "14": 1 } });
    expect(result.confidence).toBeGreaterThan(0.9);
    expect(result.usage.calls).toBe(1);
    expect(result.usage.completionTokens).toBe(result.text.length);
  });

  it("self-consistency votes over n samples and counts every token", async () => {
    const problem = loadSplit({ task: "arith", difficulty: "hard", limit: 1 })[0]!;
    const result = await createSelfConsistency({ n: 8 }).run({ model, call: { prompt: problem.prompt, seed: 3 } });
    expect(result.candidates).toHaveLength(8);
    const votes = Object.values(result.votes).reduce((sum, count) => sum + count, 0);
    expect(votes).toBe(result.candidates.filter((candidate) => candidate.answer !== undefined).length);
    expect(result.confidence).toBeCloseTo((result.votes[result.answer!] ?? 0) / votes);
    expect(result.usage.completionTokens).toBe(result.candidates.reduce((sum, candidate) => sum + candidate.completionTokens, 0));
    expect(result.usage.promptTokens).toBe(8 * (problem.prompt.length + 1));
    expect(result.answer).toBe(problem.answer);
  });

  it("stops at the token budget with the best answer so far, overshooting by at most the calls in flight", async () => {
    const budget = { maxTokens: 400 };
    const result = await createSelfConsistency({ n: 32, waveSize: 4 }).run({ model, call: { prompt: "Q: 12*(7+8)-9\nA: ", seed: 1 }, budget });
    expect(result.stopReason).toBe("budget");
    expect(result.candidates.length).toBeLessThan(32);
    expect(result.answer).toBe("171");
    const spent = result.usage.promptTokens + result.usage.completionTokens;
    // One wave of 4 candidates may be in flight when the limit is reached.
    expect(spent).toBeLessThanOrEqual(budget.maxTokens + 4 * 30);
  });

  it("stops when the caller aborts", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await createSelfConsistency({ n: 64, waveSize: 4, temperature: 1.5 }).run({
      model,
      call: { prompt: "Q: 1+1\nA: ", maxTokens: 300 },
      abortSignal: controller.signal,
    });
    expect(result.stopReason).toBe("abort");
    expect(result.candidates.length).toBeLessThan(64);
  });

  it("wrapped around a model is again a model", async () => {
    const wrapped = strategyModel({ strategy: createSelfConsistency({ n: 4 }), model });
    expect(wrapped.modelId).toBe("self-consistency/mull-tiny-policy");
    const result = await wrapped.doGenerate({ prompt: "Q: 6*7\nA: " });
    expect(result.completions[0]?.text).toContain("#### 42");
    expect(result.metadata?.mull?.answer).toBe("42");
    expect(result.usage.completionTokens).toBeGreaterThan(result.completions[0]!.text.length);
  });

  it("a wrapped strategy streams its typed trace events as they happen, each run's apart, before the chosen texts", async () => {
    const wrapped = strategyModel({ strategy: createSelfConsistency({ n: 4, waveSize: 2 }), model });
    const parts = await readAll(await wrapped.doStream({ prompt: "Q: 6*7\nA: ", n: 2, seed: 3 }));
    const traces = parts.filter((part): part is Extract<StreamPart, { type: "trace" }> => part.type === "trace");
    expect(new Set(traces.map((part) => part.run))).toEqual(new Set([0, 1]));
    const votes = traces.filter((part) => part.event.type === "vote");
    expect(votes).toHaveLength(2);
    const firstText = parts.findIndex((part) => part.type === "text-delta");
    expect(parts.findIndex((part) => part.type === "trace")).toBeLessThan(firstText);
    const end = parts.at(-1) as Extract<StreamPart, { type: "end" }>;
    expect(end.type).toBe("end");
    // The streamed events are the report's (the report is run 0's).
    expect(end.metadata?.mull?.trace).toContainEqual(votes.find((part) => part.run === 0)?.event);
  });
});

describe("strategy mechanics (scripted model)", () => {
  it("breaks vote ties by first appearance and treats unparseable output as abstention", async () => {
    const scripted = createScriptedModel(["#### 5", "no answer here", "#### 7", "#### 7", "#### 5"]);
    const result = await createSelfConsistency({ n: 5 }).run({ model: scripted, call: { prompt: "p" } });
    expect(result.votes).toEqual({ "5": 2, "7": 2 });
    expect(result.answer).toBe("5");
    expect(result.confidence).toBe(0.5);
  });

  it("clamps maxTokens to the budget left and refuses calls once it is spent", async () => {
    const scripted = createScriptedModel(["#### 1"], 50);
    const result = await createSelfConsistency({ n: 10, waveSize: 2 }).run({
      model: scripted,
      call: { prompt: "p", maxTokens: 100 },
      budget: { maxTokens: 150 },
    });
    expect(result.stopReason).toBe("budget");
    expect(scripted.calls[0]?.maxTokens).toBe(100);
    expect(scripted.calls.length).toBe(2);
    expect(result.usage.calls).toBe(2);
  });

  it("enforces call and wall-time limits too", async () => {
    const calls = await createSelfConsistency({ n: 10, waveSize: 1 }).run({
      model: createScriptedModel(["#### 3"]),
      call: { prompt: "p" },
      budget: { maxCalls: 3 },
    });
    expect(calls).toMatchObject({ stopReason: "budget", answer: "3" });
    expect(calls.candidates).toHaveLength(3);
    const slow = createScriptedModel(["#### 4"]);
    const original = slow.doGenerate.bind(slow);
    slow.doGenerate = async (options) => {
      await new Promise((resolve) => setTimeout(resolve, 40));
      return original(options);
    };
    const timed = await createSelfConsistency({ n: 100, waveSize: 1 }).run({ model: slow, call: { prompt: "p" }, budget: { maxWallMs: 150 } });
    expect(timed.stopReason).toBe("budget");
    expect(timed.candidates.length).toBeLessThan(10);
  });

  it("validates options", async () => {
    expect(() => createSelfConsistency({ n: 0 })).toThrow(InvalidArgumentError);
    expect(() => createSelfConsistency({ temperature: -1 })).toThrow(/temperature/);
    await expect(
      createSelfConsistency({ n: 2 }).run({ model: createScriptedModel(["#### 1"]), call: { prompt: "p" }, budget: { maxTokens: -5 } }),
    ).rejects.toThrow(/budget.maxTokens/);
  });
});
