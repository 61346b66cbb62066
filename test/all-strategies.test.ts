import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import { InvalidArgumentError } from "../src/core/errors/invalid-argument-error.js";
import { createMull } from "../src/runtime/create-mull.js";
import { createStrategy, strategyNames } from "../src/runtime/create-strategy.js";
import { createSandbox } from "../src/sandbox/create-sandbox.js";
import { startServer } from "../src/server/start-server.js";
import { createTaskOracle } from "../src/tasks/task-oracle.js";
import { answerChat, closeLocalServers, serveLocal } from "./helpers/local-server.js";

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

// Every strategy, these included, is also run over HTTP below. pot, cot-pot and plan-search ask a chat model for
// programs; their budget and cancellation are tested in code-strategies.test.ts. The composed strategies (their options are layers, not samples) in architecture.test.ts,
// choice-shuffle (multiple-choice prompts only) in choice-shuffle.test.ts, plangen (its agents need a chat model) in plangen.test.ts.
const chatOnly = [
  "single",
  "pot",
  "cot-pot",
  "plan-search",
  "archon",
  "mixture-of-agents",
  "self-refine",
  "genselect",
  "usc",
  "rsa",
  "choice-shuffle",
  "plangen",
  // They stop their own traces early by design; their budget and cancellation are tested in reward-free.test.ts.
  "short-m-at-k",
  "st-bon",
];
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

/**
 * Every strategy `/v1/models` lists, over HTTP against a scripted chat upstream, with its defaults: a 200 with an
 * answer, or a 4xx that names what is missing, and the same 4xx before the stream when streamed (never a 200
 * followed by an error event). The strategies get the server's environment: the sandbox, the served models.
 */
describe("every listed strategy over HTTP", () => {
  const mull = createMull({ sandbox: { warm: 0, concurrency: 2 } });
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    const upstream = await serveLocal((_request, body, response) => {
      const asked = (body.messages as { content: string }[]).at(-1)?.content ?? "";
      const n = typeof body.n === "number" ? body.n : 1;
      const reply = asked.includes("Python program")
        ? "```python\nprint(6 * 7)\n```"
        : asked.includes("programming problem")
          ? ">>> f()\n42"
          : "Six sevens are 42.\n#### 42";
      answerChat(
        response,
        Array.from({ length: n }, () => reply),
        body.stream === true,
      );
    });
    server = await startServer({ models: { coder: createOpenAICompatibleModel({ baseURL: upstream, model: "coder" }) }, mull, port: 0 });
  });
  afterAll(async () => {
    await server.close();
    await closeLocalServers();
    await mull.dispose();
  });
  const post = (body: Record<string, unknown>) =>
    fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "What is six times seven?" }], max_tokens: 48, ...body }),
    });

  it("lists every registered strategy", async () => {
    const listed = ((await (await fetch(`${server.url}/models`)).json()) as { data: { id: string }[] }).data.map((model) => model.id);
    for (const name of strategyNames) expect(listed).toContain(`${name}/coder`);
  });

  it.each(strategyNames)(
    "%s answers 200, or a 4xx naming what is missing, streamed or not",
    async (name) => {
      const response = await post({ model: `${name}/coder` });
      const body = (await response.json()) as { mull?: { strategy: string }; error?: { message: string } };
      if (response.status === 200) expect(body.mull?.strategy).toBe(name);
      else {
        expect(response.status, body.error?.message).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expect(body.error?.message).toContain(name);
        expect(body.error?.message).not.toMatch(/needs a sandbox/);
      }
      const streamed = await post({ model: `${name}/coder`, stream: true });
      expect(streamed.status).toBe(response.status);
      const text = await streamed.text();
      // No error event after the headers: an error chunk is the only one with a top-level `error`.
      if (streamed.status === 200) expect(text).not.toContain('data: {"error"');
    },
    60_000,
  );
});
