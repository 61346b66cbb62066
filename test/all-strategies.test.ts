import { afterAll, describe, expect, it } from "vitest";
import { createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { InvalidArgumentError } from "../src/core/errors/invalid-argument-error.js";
import { createMull } from "../src/runtime/create-mull.js";
import { createStrategy, strategyNames } from "../src/runtime/create-strategy.js";
import { createSandbox } from "../src/sandbox/create-sandbox.js";
import { createTaskOracle } from "../src/tasks/task-oracle.js";

const policy = createLlamaCppModel();
// Strategies that run model-written code get a sandbox, as the runtime gives them one.
const sandbox = createSandbox({ warm: 0 });
// The oracle never accepts the garbage these settings produce, so verified-resample keeps sampling too.
const verifier = createTaskOracle({ task: "arith" });
afterAll(async () => {
  await policy.dispose();
  await sandbox.close();
});
// A very high temperature makes long, disagreeing samples: no strategy settles or finishes before it is stopped.
const call = { prompt: "Q: 44-(15+(37*1-88))-63-47+81\nA: ", maxTokens: 300, seed: 1 };
/** 32 samples (the `n` or `maxSamples` each schema declares), a high temperature, and the PRM. */
const optionsFor = (name: string, samples = 32) => {
  const shape = createMull().strategies.get(name).options.shape;
  // Atom of Thoughts decomposes the arith prompt by its tree (the bundled policy cannot decompose).
  return { ["n" in shape ? "n" : "maxSamples"]: samples, temperature: 3, verifier, ...(name === "atom-of-thoughts" ? { decomposer: "arith" } : {}) };
};

// pot, cot-pot and plan-search ask a chat model for programs; their budget and cancellation are tested in
// code-strategies.test.ts. The composed strategies (their options are layers, not samples) in architecture.test.ts,
// choice-shuffle (multiple-choice prompts only) in choice-shuffle.test.ts, plangen (its agents need a chat model) in plangen.test.ts.
const chatOnly = ["single", "pot", "cot-pot", "plan-search", "archon", "mixture-of-agents", "self-refine", "genselect", "choice-shuffle", "plangen"];
describe.each(strategyNames.filter((name) => !chatOnly.includes(name)))("%s on the bundled policy", (name) => {
  const settings = optionsFor(name);
  it("respects a token budget: stops with the best so far, over by at most the calls in flight", async () => {
    const result = await createStrategy({ name, options: settings }).run({ model: policy, call, budget: { maxTokens: 600 }, environment: { sandbox } });
    expect(result.stopReason).toBe("budget");
    expect(result.usage.promptTokens + result.usage.completionTokens).toBeLessThanOrEqual(600 + 4 * 300);
    expect(result.candidates.length).toBeLessThan(32);
  });

  it("stops promptly when aborted", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const started = Date.now();
    const result = await createStrategy({ name, options: settings }).run({ model: policy, call, abortSignal: controller.signal, environment: { sandbox } });
    expect(result.stopReason).toBe("abort");
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("validates its options", () => {
    expect(() => createStrategy({ name, options: optionsFor(name, 0) })).toThrow(InvalidArgumentError);
  });
});
