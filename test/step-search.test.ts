import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLED_PRM_MODEL, createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import { InvalidArgumentError } from "../src/core/errors/invalid-argument-error.js";
import type { StrategyResult } from "../src/core/strategy.js";
import type { Verifier } from "../src/core/verifier.js";
import { createRandom } from "../src/internal/seeded-random.js";
import { createStrategy, searchStrategies } from "../src/runtime/create-strategy.js";
import { startServer } from "../src/server/start-server.js";
import { createBeamSearch } from "../src/strategies/search/beam-search.js";
import { multinomial, particleWeights } from "../src/strategies/search/particle-filter.js";
import { allocateChildren } from "../src/strategies/search/rebase.js";
import type { SearchTreeTrace } from "../src/strategies/search/search-tree.js";
import { loadSplit } from "../src/tasks/splits.js";
import { createProcessRewardModel } from "../src/verifiers/process-reward-model.js";
import { createScriptedModel } from "./helpers/scripted-model.js";

const policy = createLlamaCppModel();
const prmModel = createLlamaCppModel({ modelPath: BUNDLED_PRM_MODEL, sequences: 2 });
const verifier = createProcessRewardModel({ model: prmModel });
afterAll(async () => {
  await policy.dispose();
  await prmModel.dispose();
});
const problem = loadSplit({ task: "countdown", difficulty: "medium", limit: 1 })[0] ?? { prompt: "", answer: "", task: "countdown", solution: "" };
const call = { prompt: problem.prompt, seed: 3, maxTokens: 200 };

function treeOf(result: StrategyResult): SearchTreeTrace {
  const event = result.trace.find((item) => item.type === "search-tree");
  if (!event?.data) throw new Error("no search tree in the trace");
  return event.data as unknown as SearchTreeTrace;
}

describe.each(searchStrategies)("%s on the bundled policy and PRM", (name) => {
  it("answers with a complete solution, records its tree, and counts PRM tokens apart", async () => {
    const result = await createStrategy({ name, options: { verifier, n: 8 } }).run({ model: policy, call });
    expect(result.stopReason).toBe("completed");
    expect(result.candidates.length).toBeGreaterThan(0);
    for (const candidate of result.candidates) {
      expect(candidate.text).toMatch(/#### -?\d+$/);
      expect(candidate.score).toBeGreaterThanOrEqual(0);
      expect(candidate.score).toBeLessThanOrEqual(1);
    }
    expect(result.answer).toBe(result.text.match(/#### (-?\d+)$/)?.[1]);
    expect(result.verifierTokens).toBeGreaterThan(0);
    expect(result.usage.completionTokens).toBeGreaterThan(0);
    const tree = treeOf(result);
    expect(tree.nodes[0]?.parent).toBeNull();
    for (const node of tree.nodes.slice(1)) {
      const parent = tree.nodes[node.parent ?? -1];
      expect(parent?.depth).toBe(node.depth - 1);
      expect(["open", "expanded", "pruned", "finished"]).toContain(node.status);
    }
    expect(tree.nodes.filter((node) => node.status === "finished")).toHaveLength(result.candidates.length);
    // The chosen path's steps, joined by the bundled model's delimiter, are the answer's text.
    const steps = tree.chosen.slice(1).map((id) => tree.nodes[id]?.step);
    expect(steps.join("\n")).toBe(result.text);
    expect(tree.nodes[tree.chosen.at(-1) ?? 0]?.status).toBe("finished");
  });

  it("refuses, before spending anything, a raw prompt on a chat-only backend and a chat prompt on one that cannot continue the assistant's message", async () => {
    let requests = 0;
    const chatOnly = createOpenAICompatibleModel({
      baseURL: "http://127.0.0.1:9/v1",
      model: "chat",
      rawPrompt: false,
      fetch: async () => {
        requests++;
        return new Response("{}");
      },
    });
    const strategy = createStrategy({ name, options: { verifier, n: 4 } });
    await expect(strategy.run({ model: chatOnly, call })).rejects.toThrow(/chat-only/);
    await expect(strategy.run({ model: chatOnly, call: { prompt: [{ role: "user", content: "2+2" }] } })).rejects.toThrow(/assistantPrefix/);
    expect(requests).toBe(0);
  });

  it("validates its options", () => {
    expect(() => createStrategy({ name, options: { n: 4 } })).toThrow(/verifier/);
    expect(() => createStrategy({ name, options: { verifier, select: "loudest" as never } })).toThrow(InvalidArgumentError);
    expect(() => createStrategy({ name, options: { verifier, maxSteps: 0 } })).toThrow(InvalidArgumentError);
  });
});

describe("search mechanics", () => {
  it("beam search keeps the top n/M beams, expands each M times and prunes the rest", async () => {
    const result = await createStrategy({ name: "beam-search", options: { verifier, n: 8, beamWidth: 4 } }).run({ model: policy, call });
    const keeps = result.trace.filter((event) => event.type === "keep");
    expect(keeps.length).toBeGreaterThan(0);
    const tree = treeOf(result);
    for (const event of keeps) {
      const kept = (event.data?.kept as number[]) ?? [];
      expect(kept.length).toBeLessThanOrEqual(2);
      for (const id of kept) expect(tree.nodes.filter((node) => node.parent === id).length).toBeLessThanOrEqual(4);
    }
    expect(tree.nodes.some((node) => node.status === "pruned")).toBe(true);
  });

  it("beam search drops duplicate partial solutions before keeping the best", async () => {
    const model = { ...createScriptedModel(["1+1=2", "1+1=2", "2+2=4", "#### 4"]), stepDelimiter: "\n" };
    const scores: Verifier = { name: "length", score: async ({ solution }) => ({ score: Math.min(1, solution.length / 20) }) };
    const result = await createBeamSearch({ verifier: scores, n: 4, beamWidth: 2 }).run({ model, call: { prompt: "Q: 1\nA: " } });
    const tree = treeOf(result);
    const firstLevel = tree.nodes.filter((node) => node.depth === 1);
    expect(firstLevel.map((node) => node.step)).toEqual(["1+1=2", "1+1=2", "2+2=4", "#### 4"]);
    expect(firstLevel[1]?.status).toBe("pruned");
    expect(result.candidates.length).toBeGreaterThan(0);
  });

  it("lookahead scores beams by greedy rollouts, which it marks in the tree", async () => {
    const result = await createStrategy({ name: "lookahead", options: { verifier, n: 4, beamWidth: 2, lookahead: 1 } }).run({ model: policy, call });
    expect(treeOf(result).nodes.some((node) => node.data?.rollout === 1)).toBe(true);
  });

  it("particle filter weights are a softmax of inverse-sigmoid rewards; resampling follows them", () => {
    const [high = 0, low = 0] = particleWeights([0.9, 0.1], 1);
    expect(high / low).toBeCloseTo(81, 5);
    expect(particleWeights([0.5, 0.5, 0.5], 0.3)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    const flatter = particleWeights([0.9, 0.1], 4);
    expect(flatter[0]).toBeLessThan(high);
    const draws = multinomial([0.75, 0.25], 4000, createRandom(5));
    const share = draws.filter((index) => index === 0).length / draws.length;
    expect(share).toBeGreaterThan(0.72);
    expect(share).toBeLessThan(0.78);
  });

  it("particle Gibbs keeps the previous sweep's best particle as a reference", async () => {
    const result = await createStrategy({ name: "particle-filter", options: { verifier, n: 4, sweeps: 2 } }).run({ model: policy, call });
    const resamples = result.trace.filter((event) => event.type === "resample").filter((event) => event.data.sweep === 2);
    expect(resamples.length).toBeGreaterThan(0);
    // The second sweep draws one particle fewer: the reference holds the first slot.
    for (const event of resamples) expect(event.data.drawn.length).toBe(3);
  });

  it("REBASE shares the width out by a softmax over rewards, best first", () => {
    const counts = allocateChildren([0.9, 0.5, 0.1], 16, 0.2);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(16);
    expect(counts[0]).toBeGreaterThan(counts[1] ?? 0);
    expect(counts[1]).toBeGreaterThanOrEqual(counts[2] ?? 0);
    // A high balance temperature shares evenly; a low one gives nearly all to the best.
    // (ceil, as in the reference code, rounds the first shares up.)
    const even = allocateChildren([0.9, 0.5, 0.1], 9, 100);
    expect(even.reduce((sum, count) => sum + count, 0)).toBe(9);
    expect(Math.max(...even) - Math.min(...even)).toBeLessThanOrEqual(2);
    expect(allocateChildren([0.9, 0.1], 8, 0.01)).toEqual([8, 0]);
  });

  it("MCTS records visits and values and spends one expansion per simulation", async () => {
    const result = await createStrategy({ name: "mcts", options: { verifier, n: 6, expansionWidth: 2 } }).run({ model: policy, call });
    expect(result.usage.calls).toBeLessThanOrEqual(7);
    const root = treeOf(result).nodes[0];
    expect(root?.data?.visits).toBeGreaterThan(0);
  });
});

describe("step-level search over HTTP", () => {
  const servedPolicy = createLlamaCppModel({ modelId: "mull-tiny-policy" });
  const servedPrm = createLlamaCppModel({ modelPath: BUNDLED_PRM_MODEL, modelId: "mull-tiny-prm", sequences: 2 });
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer({
      models: { "mull-tiny-policy": servedPolicy, "mull-tiny-prm": servedPrm },
      port: 0,
    });
  });
  afterAll(async () => {
    await server.close();
    await servedPolicy.dispose();
    await servedPrm.dispose();
  });

  it("searches with a remote policy and a remote PRM through /v1/completions", async () => {
    const remotePolicy = createOpenAICompatibleModel({ baseURL: server.url, model: "mull-tiny-policy", stepDelimiter: "\n" });
    const remotePrm = createProcessRewardModel({ model: createOpenAICompatibleModel({ baseURL: server.url, model: "mull-tiny-prm" }) });
    const result = await createStrategy({ name: "dvts", options: { verifier: remotePrm, n: 4, beamWidth: 2 } }).run({ model: remotePolicy, call });
    expect(result.candidates.length).toBeGreaterThan(0);
    expect(result.text).toMatch(/#### -?\d+$/);
    // Every step a call of its own; each candidate's steps are lines the policy wrote one at a time.
    expect(result.usage.calls).toBeGreaterThan(2);
    expect(result.verifierTokens).toBeGreaterThan(0);
  });

  it("tells over HTTP what ended a completion (vLLM's stop_reason), so searches see the end of a solution", async () => {
    const remotePolicy = createOpenAICompatibleModel({ baseURL: server.url, model: "mull-tiny-policy" });
    const step = await remotePolicy.doGenerate({ prompt: "Q: 2+3*4\nA: ", temperature: 0, stop: ["\n"] });
    expect(step.completions[0]).toMatchObject({ stoppedBy: "stop-sequence", stopSequence: "\n" });
    const whole = await remotePolicy.doGenerate({ prompt: "Q: 2+3*4\nA: ", temperature: 0, stop: ["\n\n"] });
    expect(whole.completions[0]?.text).toMatch(/#### 14$/);
    expect(whole.completions[0]?.stoppedBy).toBe("end-of-text");
  });

  it("serves a search strategy as a model", async () => {
    const response = await fetch(`${server.url}/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "beam-search/mull-tiny-policy", prompt: problem.prompt, max_tokens: 200, seed: 1, mull: { n: 4, beamWidth: 2 } }),
    });
    const body = (await response.json()) as { choices: { text: string }[]; mull?: { strategy: string; verifierTokens?: number } };
    expect(response.status).toBe(200);
    expect(body.choices[0]?.text).toMatch(/#### -?\d+$/);
    expect(body.mull?.strategy).toBe("beam-search");
  });
});

describe("prefix reuse in the embedded backend", () => {
  it("the PRM scores only new steps of a partial solution it has seen, with unchanged scores", async () => {
    const cached = createProcessRewardModel({ model: prmModel, aggregation: "min" }).session?.();
    const uncached = createProcessRewardModel({ model: prmModel, aggregation: "min" });
    if (!cached) throw new Error("the PRM verifier has sessions");
    const prompt = "Q: reach 24 with 4 7 8 8\nA: ";
    const first = await cached.score({ prompt, solution: "8-7=1\n" });
    const longer = await cached.score({ prompt, solution: "8-7=1\n8+8=16\n16+4=20\n" });
    const again = await cached.score({ prompt, solution: "8-7=1\n8+8=16\n16+4=20\n" });
    const reference = await uncached.score({ prompt, solution: "8-7=1\n8+8=16\n16+4=20\n" });
    expect(longer.stepScores?.[0]).toBe(first.stepScores?.[0]);
    for (const [index, score] of (reference.stepScores ?? []).entries()) expect(longer.stepScores?.[index]).toBeCloseTo(score, 6);
    expect(longer.score).toBeCloseTo(reference.score, 6);
    expect(again.tokens).toBe(0);
    expect(longer.tokens).toBeLessThan(reference.tokens ?? 0);
  });

  it("within a session, identical solutions scored at once share one evaluation", async () => {
    const session = createProcessRewardModel({ model: prmModel }).session?.();
    if (!session) throw new Error("the PRM verifier has sessions");
    const prompt = "Q: reach 24 with 4 7 8 8\nA: ";
    const solution = "8-4=4\n7-4=3\n";
    const results = await Promise.all([1, 2, 3].map(() => session.score({ prompt, solution })));
    expect(results.map((result) => (result.tokens ?? 0) > 0)).toEqual([true, false, false]);
    for (const result of results) expect(result.stepScores).toEqual(results[0]?.stepScores);
    // Without a session, every call evaluates.
    const unshared = await Promise.all([1, 2].map(() => createProcessRewardModel({ model: prmModel }).score({ prompt, solution })));
    expect(unshared.every((result) => (result.tokens ?? 0) > 0)).toBe(true);
  });

  it("gives the same tokens and probabilities as evaluating the whole prompt, and reports what it reused", async () => {
    const fresh = createLlamaCppModel({ sequences: 1, reusePrefix: false });
    const reusing = createLlamaCppModel({ sequences: 1 });
    try {
      let prefix = problem.prompt;
      let cached = 0;
      for (let step = 0; step < 3; step++) {
        const options = { prompt: prefix, temperature: 0, maxTokens: 30, stop: ["\n"], logprobs: true };
        const [a, b] = [await fresh.doGenerate(options), await reusing.doGenerate(options)];
        expect(b.completions[0]?.text).toBe(a.completions[0]?.text);
        // Evaluating a suffix after a reused prefix batches the matrix products differently, so log-probabilities
        // agree to within float32 rounding, not bit for bit (measured: up to 1.7e-3 apart on some x86-64 CPUs).
        const reused = b.completions[0]?.logprobs ?? [];
        const whole = a.completions[0]?.logprobs ?? [];
        expect(reused.map((item) => item.token)).toEqual(whole.map((item) => item.token));
        for (const [index, item] of reused.entries()) expect(Math.abs(item.logprob - (whole[index]?.logprob ?? 0))).toBeLessThan(5e-3);
        expect(b.completions[0]?.stoppedBy).toBe("stop-sequence");
        expect(a.usage.cachedPromptTokens).toBe(0);
        cached += b.usage.cachedPromptTokens ?? 0;
        prefix += `${b.completions[0]?.text}\n`;
      }
      expect(cached).toBeGreaterThan(problem.prompt.length);
    } finally {
      await fresh.dispose();
      await reusing.dispose();
    }
  });
});
