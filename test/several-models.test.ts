/**
 * Strategies whose parts call several models (an architecture component's `model`, mixture-of-agents'
 * `models`): each model is a real local OpenAI-compatible server; the runtime resolves them by spec, the
 * server only by the names it serves, and a run without a resolver refuses before anything is spent.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import type { TraceEvent } from "../src/core/trace-event.js";
import { createMull } from "../src/runtime/create-mull.js";
import { createStrategy } from "../src/runtime/create-strategy.js";
import { startServer } from "../src/server/start-server.js";
import { parseArchitecture } from "../src/strategies/compose/architecture.js";
import { closeLocalServers, serveLocal } from "./helpers/local-server.js";

const problem = "What is 6*7? End with #### and the number.";
const prompt = [{ role: "user" as const, content: problem }];

/** A model of one "family": it answers everything with `answer`, and records what it was asked. */
async function familyServer(answer: number) {
  const asked: { kind: "problem" | "synthesis" | "other"; n: number }[] = [];
  const url = await serveLocal((_request, body, response) => {
    const content = (body.messages as { content: string }[]).at(-1)?.content ?? "";
    const n = typeof body.n === "number" ? body.n : 1;
    const kind = content === problem ? "problem" : content.includes("Synthesize them") ? "synthesis" : "other";
    asked.push({ kind, n });
    const text = kind === "synthesis" ? `Having checked the responses: 6*7 = ${answer}\n#### ${answer}` : `6*7 = ${answer}\n#### ${answer}`;
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        choices: Array.from({ length: n }, (_, index) => ({ index, message: { role: "assistant", content: text }, finish_reason: "stop" })),
        usage: { prompt_tokens: 20, completion_tokens: 10 * n },
      }),
    );
  });
  const count = (kind: "problem" | "synthesis" | "other") => asked.filter((item) => item.kind === kind).reduce((sum, item) => sum + item.n, 0);
  // A spec names the upstream's model after `#`.
  return { url: `${url}#family-${answer}`, asked, count };
}

const layerEvents = (trace: TraceEvent[]) => trace.flatMap((event) => (event.type === "layer" ? [event.data] : []));

afterEach(closeLocalServers);

describe("several models in one run", () => {
  it("mixture-of-agents takes its models in turn: proposals, agents and the aggregator each go where they are told", async () => {
    const [wrong, right] = [await familyServer(41), await familyServer(42)];
    const mull = createMull();
    try {
      const result = await mull.run({
        strategy: `mixture-of-agents:proposers=4:models=${wrong.url}|${right.url}:aggregatorModel=${right.url}`,
        model: wrong.url,
        prompt,
        seed: 1,
      });
      // Two proposals from each, two agents each, and the aggregator on the second.
      expect([wrong.count("problem"), right.count("problem")]).toEqual([2, 2]);
      expect([wrong.count("synthesis"), right.count("synthesis")]).toEqual([2, 3]);
      expect(result.answer).toBe("42");
      const proposals = result.candidates.filter((candidate) => !candidate.text.startsWith("Having"));
      expect([wrong.url, right.url].map((url) => proposals.filter((candidate) => candidate.model === url).length)).toEqual([2, 2]);
      const [first, agents, aggregator] = layerEvents(result.trace);
      expect(first?.components).toEqual([`generator:sample@${wrong.url}`, `generator:sample@${right.url}`]);
      expect(agents?.components).toEqual([`fuser:prompt@${wrong.url}`, `fuser:prompt@${right.url}`, `fuser:prompt@${wrong.url}`, `fuser:prompt@${right.url}`]);
      expect(aggregator?.components).toEqual([`fuser:prompt@${right.url}`]);
      // Usage counts every model's calls: 2 + 2 proposal calls' worth of samples, 4 agents, 1 aggregator.
      expect(result.usage.completionTokens).toBe(10 * (4 + 4 + 1));
    } finally {
      await mull.dispose();
    }
  });

  it("the run's budget covers the other models too", async () => {
    const [first, second] = [await familyServer(41), await familyServer(42)];
    const mull = createMull();
    try {
      const architecture = {
        kind: "mull-architecture",
        version: 1,
        layers: [[{ role: "generator", samples: 2, model: second.url }], [{ role: "fuser", using: "prompt", model: second.url }]],
      };
      // The first layer's call (20 prompt + 2 x 10 completion tokens) spends a 40-token budget; the fuser is not called.
      const result = await mull.run({ strategy: { spec: "archon", options: { architecture } }, model: first.url, prompt, budget: { maxTokens: 40 } });
      expect(first.asked).toHaveLength(0);
      expect(second.count("problem")).toBe(2);
      expect(second.count("synthesis")).toBe(0);
      expect(result.stopReason).toBe("budget");
      expect(result.usage.promptTokens + result.usage.completionTokens).toBe(40);
    } finally {
      await mull.dispose();
    }
  });

  it("refuses, before any call, a model the run cannot resolve; and a model on a role that calls none", async () => {
    const server = await familyServer(42);
    const model = createOpenAICompatibleModel({ baseURL: server.url, model: "m" });
    const architecture = { kind: "mull-architecture", version: 1, layers: [[{ role: "generator", samples: 2, model: "other-model" }]] };
    await expect(createStrategy({ name: "archon", options: { architecture } }).run({ model, call: { prompt } })).rejects.toThrow(
      /archon calls the model "other-model", but this run resolves no other models/,
    );
    expect(server.asked).toHaveLength(0);
    expect(() =>
      parseArchitecture({
        kind: "mull-architecture",
        version: 1,
        layers: [[{ role: "generator" }], [{ role: "ranker", using: "verifier", model: "judge" }]],
      }),
    ).toThrow(/layers\[1\]\[0\]\.model: a ranker using verifier calls no model/);
    expect(() => createStrategy({ name: "mixture-of-agents", options: { aggregator: "vote", aggregatorModel: "judge" } })).toThrow(
      /aggregatorModel needs aggregator=prompt/,
    );
    expect(() => createStrategy({ name: "mixture-of-agents", options: { proposers: 2, models: "a|b|c" } })).toThrow(/names 3 models but proposers=2/);
  });
});

describe("several models over HTTP", () => {
  it("a component may name a model the server serves, never a file or URL", async () => {
    const other = await familyServer(42);
    const policy = createLlamaCppModel();
    const server = await startServer({
      models: { "mull-tiny-policy": policy, other: createOpenAICompatibleModel({ baseURL: other.url, model: "other" }) },
      port: 0,
    });
    const post = (body: unknown) =>
      fetch(`${server.url}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    try {
      const architecture = (model: string) => ({
        kind: "mull-architecture",
        version: 1,
        layers: [[{ role: "generator", samples: 2, model }], [{ role: "fuser", using: "vote" }]],
      });
      const ok = await post({ model: "mull-tiny-policy", messages: prompt, mull: { strategy: "archon", architecture: architecture("other") } });
      expect(ok.status).toBe(200);
      expect(other.count("problem")).toBe(2);
      const body = (await ok.json()) as { choices: { message: { content: string } }[] };
      expect(body.choices[0]?.message.content).toContain("#### 42");
      for (const name of [other.url, "/etc/passwd.gguf", "mull-tiny-prm"]) {
        const refused = await post({ model: "mull-tiny-policy", messages: prompt, mull: { strategy: "archon", architecture: architecture(name) } });
        expect(refused.status).toBe(400);
        const error = ((await refused.json()) as { error: { message: string; param: string } }).error;
        expect(error.param).toBe("model");
        expect(error.message).toContain("mull-tiny-policy, other");
      }
      expect(other.count("problem")).toBe(2);
      // Nor may a request name an examples file (dynamic few-shot): the server reads only the files it was given.
      for (const mull of [{ strategy: "choice-shuffle", examples: "/etc/passwd" }, { strategy: "choice-shuffle:examples=/etc/passwd" }]) {
        const refused = await post({ model: "mull-tiny-policy", messages: prompt, mull });
        expect(refused.status).toBe(400);
        expect(((await refused.json()) as { error: { param: string } }).error.param).toBe("mull.examples");
      }
    } finally {
      await server.close();
      await policy.dispose();
    }
  });
});

describe("strategies as generators", () => {
  const arith = "Q: 12*(7+8)-9\nA: ";
  const ensemble = {
    kind: "mull-architecture",
    version: 1,
    layers: [
      [
        { role: "generator", strategy: "self-consistency:n=3", samples: 2 },
        { role: "generator", samples: 2 },
      ],
      [{ role: "fuser", using: "vote" }],
    ],
  };

  it("a generator runs a strategy: each run's answer is one candidate, its spend is the run's", async () => {
    const mull = createMull();
    try {
      const result = await mull.run({ strategy: { spec: "archon", options: { architecture: ensemble } }, prompt: arith, seed: 4 });
      const [first] = layerEvents(result.trace);
      expect(first?.components).toEqual(["generator:self-consistency:n=3", "generator:sample"]);
      expect(first?.candidates).toBe(4);
      // Two runs of 3 samples and 2 plain samples: 8 completions' tokens, all counted in the run's usage.
      const fromStrategy = result.candidates.slice(0, 2).reduce((sum, candidate) => sum + candidate.completionTokens, 0);
      const plain = result.candidates.slice(2).reduce((sum, candidate) => sum + candidate.completionTokens, 0);
      expect(result.usage.completionTokens).toBe(fromStrategy + plain);
      expect(fromStrategy).toBeGreaterThan(2 * plain * 0.5);
      expect(result.answer).toBe("171");
    } finally {
      await mull.dispose();
    }
  });

  it("refuses, before spending, a strategy it cannot resolve or that is invalid", async () => {
    const policy = createLlamaCppModel();
    const mull = createMull();
    try {
      await expect(createStrategy({ name: "archon", options: { architecture: ensemble } }).run({ model: policy, call: { prompt: arith } })).rejects.toThrow(
        /runs the strategy "self-consistency:n=3", but this run resolves no strategies/,
      );
      const broken = { ...ensemble, layers: [[{ role: "generator", strategy: "self-consistency:n=0" }]] };
      await expect(mull.run({ strategy: { spec: "archon", options: { architecture: broken } }, prompt: arith })).rejects.toThrow(/self-consistency.*\bn\b/);
    } finally {
      await mull.dispose();
      await policy.dispose();
    }
  });

  it("over HTTP a request's generator may run a strategy, but not one that names a file", async () => {
    const policy = createLlamaCppModel();
    const server = await startServer({ models: { "mull-tiny-policy": policy }, port: 0 });
    const post = (strategy: string) =>
      fetch(`${server.url}/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          model: "mull-tiny-policy",
          prompt: arith,
          max_tokens: 100,
          mull: { strategy: "archon", architecture: { kind: "mull-architecture", version: 1, layers: [[{ role: "generator", strategy, samples: 1 }]] } },
        }),
      });
    try {
      expect((await post("self-consistency:n=2")).status).toBe(200);
      const refused = await post("auto:profile=/etc/passwd");
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { param: string } }).error.param).toBe("mull.profile");
    } finally {
      await server.close();
      await policy.dispose();
    }
  });
});
