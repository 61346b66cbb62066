import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { BUNDLED_PRM_MODEL, createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import { InvalidArgumentError } from "../src/core/errors/invalid-argument-error.js";
import type { TraceEvent } from "../src/core/trace-event.js";
import { createStrategy } from "../src/runtime/create-strategy.js";
import { startServer } from "../src/server/start-server.js";
import { parseArchitecture } from "../src/strategies/compose/architecture.js";
import { parseBest, parseRanking, parseVerdict } from "../src/strategies/compose/prompt-components.js";
import { stepPrefix } from "../src/strategies/compose/verifier-components.js";
import { loadSplit, tasks } from "../src/tasks/splits.js";
import { createProcessRewardModel } from "../src/verifiers/process-reward-model.js";
import { answerChat, closeLocalServers, serveLocal } from "./helpers/local-server.js";

const directory = mkdtempSync(join(tmpdir(), "mull-architecture-"));
const writeJson = (name: string, document: unknown) => {
  const path = join(directory, name);
  writeFileSync(path, typeof document === "string" ? document : JSON.stringify(document));
  return path;
};
const layers = (trace: TraceEvent[]) => trace.flatMap((event) => (event.type === "layer" ? [event.data] : []));

/**
 * A scripted chat model behind a real local OpenAI-compatible server: it answers the problem with the
 * scripted samples in turn, and each role's prompt as a model would (or, with `garbage`, with nothing usable).
 */
async function roleServer(options: { samples: string[]; garbage?: boolean }) {
  const prompts: string[] = [];
  let next = 0;
  const url = await serveLocal((_request, body, response) => {
    const messages = body.messages as { content: string }[];
    const prompt = messages.at(-1)?.content ?? "";
    prompts.push(prompt);
    const n = typeof body.n === "number" ? body.n : 1;
    const replies = Array.from({ length: n }, () =>
      options.garbage && prompt !== problem ? "hmm, hard to say" : reply(prompt, options.samples, () => next++),
    );
    answerChat(response, replies);
  });
  return { model: createOpenAICompatibleModel({ baseURL: url, model: "roles" }), prompts };
}

const problem = "What is 6*7? End with #### and the number.";

function reply(prompt: string, samples: string[], take: () => number): string {
  if (prompt === problem) return samples[take() % samples.length] as string;
  const right = (text: string) => text.includes("42");
  if (prompt.includes("Review the proposed solution"))
    return right(prompt) ? "Every step is right.\nVerdict: correct" : "Step 1 is wrong: 6*7 is not 41.\nVerdict: incorrect";
  if (prompt.includes("Is the proposed solution correct?")) return right(prompt) ? "It checks out. **Verdict:** Correct" : "Verdict: incorrect";
  if (prompt.includes("Write an improved solution")) return "6*7 = 42\n#### 42";
  if (prompt.includes("Synthesize them")) return "Most responses agree after checking: 6*7 = 42\n#### 42";
  if (prompt.includes("ranking them")) {
    const order = [...prompt.matchAll(/Solution (\d+):\n(.*\n.*)/g)].sort((a, b) => Number(right(b[2] ?? "")) - Number(right(a[2] ?? "")));
    return `Ranking: ${order.map((match) => match[1]).join(", ")}`;
  }
  if (prompt.includes("Best: <number>")) {
    const best = [...prompt.matchAll(/Solution (\d+):\n(.*\n.*)/g)].find((match) => right(match[2] ?? ""));
    return best ? `Solution ${best[1]} computes it correctly.\nBest: ${best[1]}` : "Best: 1";
  }
  return "I do not follow.";
}

const call = { prompt: [{ role: "user" as const, content: problem }], seed: 3 };

afterEach(closeLocalServers);

describe("architecture documents", () => {
  it("validates, with errors that name the field", () => {
    const good = { kind: "mull-architecture", version: 1, layers: [[{ role: "generator", samples: 4 }], [{ role: "ranker", topK: 2 }]] };
    expect(parseArchitecture(good).layers[1]?.[0]).toMatchObject({ role: "ranker", using: "verifier", topK: 2, mode: "list" });
    expect(() => parseArchitecture({ ...good, layers: [[{ role: "generator" }], [{ role: "ranker", topK: 0 }]] }, "a.json")).toThrow(
      /a\.json: layers\[1\]\[0\]\.topK/,
    );
    expect(() => parseArchitecture({ ...good, layers: [[{ role: "ranker" }]] })).toThrow(/layers\[0\]: the first layer must hold generators/);
    expect(() => parseArchitecture({ ...good, layers: [[{ role: "generator" }, { role: "critic" }]] })).toThrow(
      /layers\[0\]\[1\]\.role: a layer holds one role/,
    );
    expect(() => parseArchitecture({ ...good, layers: [[{ role: "generator", sample: 3 }]] })).toThrow(/layers\[0\]\[0\]/);
    expect(() => parseArchitecture({ ...good, layers: [[{ role: "judge" }]] })).toThrow(/layers\[0\]\[0\]\.role/);
    expect(() => parseArchitecture({ ...good, version: 2 })).toThrow(/version/);
  });

  it("archon reads a file and names a missing or broken one", () => {
    expect(() => createStrategy({ name: "archon", options: {} })).toThrow(/config=<file\.json>/);
    expect(() => createStrategy({ name: "archon", options: { config: join(directory, "nope.json") } })).toThrow(/cannot read the architecture file/);
    expect(() => createStrategy({ name: "archon", options: { config: writeJson("broken.json", "{ layers: ") } })).toThrow(/is not JSON/);
    const path = writeJson("bad.json", { kind: "mull-architecture", version: 1, layers: [[{ role: "generator", temperature: -1 }]] });
    expect(() => createStrategy({ name: "archon", options: { config: path } })).toThrow(InvalidArgumentError);
    expect(() => createStrategy({ name: "archon", options: { config: path } })).toThrow(/layers\[0\]\[0\]\.temperature/);
    // A verifier role needs the run's verifier, said before anything runs.
    const ranked = writeJson("ranked.json", { kind: "mull-architecture", version: 1, layers: [[{ role: "generator" }], [{ role: "ranker" }]] });
    expect(() => createStrategy({ name: "archon", options: { config: ranked } })).toThrow(/needs a verifier/);
  });

  it("reads role replies leniently", () => {
    expect(parseVerdict("All good.\n**Verdict:** Correct")).toBe(true);
    expect(parseVerdict("verdict - INCORRECT.")).toBe(false);
    expect(parseVerdict("This is incorrect.")).toBe(false);
    expect(parseVerdict("no idea")).toBeUndefined();
    expect(parseBest("Solution 2 is wrong. Best: 3", 3)).toBe(2);
    expect(parseBest("The best solution is Solution #2.", 3)).toBe(1);
    expect(parseBest("Best: 9", 3)).toBeUndefined();
    expect(parseBest("no pick", 3)).toBeUndefined();
    expect(parseRanking("Ranking: 3 > 1", 3)).toEqual([2, 0, 1]);
    expect(parseRanking("nothing", 3)).toBeUndefined();
  });
});

describe("prompt roles against a local OpenAI-compatible server", () => {
  const samples = ["6*7 = 41\n#### 41", "6*7 = 42\n#### 42", "6*7 = 40\n#### 40", "6*7 = 41\n#### 41"];

  it("genselect sends the candidates in one list and takes the one the model names", async () => {
    const { model, prompts } = await roleServer({ samples });
    const result = await createStrategy({ name: "genselect", options: { n: 4 } }).run({ model, call });
    expect(result.answer).toBe("42");
    const ask = prompts.find((prompt) => prompt.includes("Best: <number>")) ?? "";
    expect(ask).toContain(problem);
    for (const index of [1, 2, 3, 4]) expect(ask).toContain(`Solution ${index}:`);
    expect(layers(result.trace).map((layer) => layer.role)).toEqual(["generator", "ranker"]);
    expect(result.candidates).toHaveLength(4);
  });

  it("genselect as a tournament asks n - 1 matches of two", async () => {
    const { model, prompts } = await roleServer({ samples });
    const result = await createStrategy({ name: "genselect", options: { n: 4, mode: "tournament" } }).run({ model, call });
    expect(result.answer).toBe("42");
    const matches = prompts.filter((prompt) => prompt.includes("Best: <number>"));
    expect(matches).toHaveLength(3);
    for (const match of matches) expect(match).not.toContain("Solution 3:");
  });

  it("self-refine sends the critique to the reviser and answers with the revision", async () => {
    const { model, prompts } = await roleServer({ samples: ["6*7 = 41\n#### 41"] });
    const result = await createStrategy({ name: "self-refine", options: { rounds: 2 } }).run({ model, call });
    expect(result.answer).toBe("42");
    const revise = prompts.find((prompt) => prompt.includes("Write an improved solution")) ?? "";
    expect(revise).toContain("Step 1 is wrong: 6*7 is not 41.");
    expect(revise).toContain("#### 41");
    // Round 2 critiques the revision (judged right), and revises it once more, with that critique.
    expect(prompts.filter((prompt) => prompt.includes("Review the proposed solution"))).toHaveLength(2);
    expect(layers(result.trace).map((layer) => layer.role)).toEqual(["generator", "critic", "refiner", "critic", "refiner"]);
  });

  it("mixture-of-agents: proposers, one layer of agents that each see every proposal, one aggregator", async () => {
    const { model, prompts } = await roleServer({ samples });
    const result = await createStrategy({ name: "mixture-of-agents", options: { proposers: 3, rounds: 1 } }).run({ model, call });
    expect(result.answer).toBe("42");
    const syntheses = prompts.filter((prompt) => prompt.includes("Synthesize them"));
    expect(syntheses).toHaveLength(4);
    expect(syntheses[0]).toContain("Solution 3:");
    expect(layers(result.trace).map((layer) => [layer.role, layer.candidates])).toEqual([
      ["generator", 3],
      ["fuser", 3],
      ["fuser", 1],
    ]);
    expect(result.usage.calls).toBeGreaterThanOrEqual(5);
  });

  it("an architecture file: generate, verify by prompt, vote among those that pass", async () => {
    const { model, prompts } = await roleServer({ samples });
    const config = writeJson("verify.json", {
      kind: "mull-architecture",
      version: 1,
      layers: [[{ role: "generator", samples: 4 }], [{ role: "verifier", using: "prompt" }]],
    });
    const result = await createStrategy({ name: "archon", options: { config } }).run({ model, call });
    expect(result.answer).toBe("42");
    expect(result.votes).toEqual({ "42": 1 });
    expect(prompts.filter((prompt) => prompt.includes("Is the proposed solution correct?"))).toHaveLength(4);
    expect(result.settings.options).toMatchObject({ config, architecture: { layers: [[{ role: "generator" }], [{ role: "verifier" }]] } });
  });

  it("survives replies it cannot read: warns, keeps the candidates, and still answers", async () => {
    const { model } = await roleServer({ samples, garbage: true });
    const config = writeJson("all-roles.json", {
      kind: "mull-architecture",
      version: 1,
      layers: [
        [{ role: "generator", samples: 4 }],
        [{ role: "verifier", using: "prompt" }],
        [{ role: "critic", using: "prompt" }],
        [{ role: "ranker", using: "prompt", topK: 2 }],
        [{ role: "refiner" }],
      ],
    });
    const result = await createStrategy({ name: "archon", options: { config } }).run({ model, call });
    const messages = result.warnings.map((warning) => (warning.type === "other" ? warning.message : ""));
    expect(messages.some((message) => message.startsWith("verifier: a verdict could not be read"))).toBe(true);
    expect(messages.some((message) => message.startsWith("ranker: the reply named no candidate"))).toBe(true);
    // The ranker kept the first two in order; the refiner's unreadable revisions have no answer, the originals do.
    expect(result.answer).toBe("41");
    expect(result.stopReason).toBe("completed");
  });

  it("stops at a token budget with what it has", async () => {
    const { model } = await roleServer({ samples });
    const result = await createStrategy({ name: "mixture-of-agents", options: { proposers: 4, rounds: 3 } }).run({ model, call, budget: { maxTokens: 150 } });
    expect(result.stopReason).toBe("budget");
    expect(result.usage.promptTokens + result.usage.completionTokens).toBeLessThanOrEqual(150 + 4 * 30);
  });
});

describe("architectures on the bundled policy and PRM", () => {
  const model = createLlamaCppModel();
  const prmModel = createLlamaCppModel({ modelPath: BUNDLED_PRM_MODEL, sequences: 2 });
  afterAll(async () => {
    await model.dispose();
    await prmModel.dispose();
  });
  const [countdown] = loadSplit({ task: "countdown", difficulty: "medium", limit: 1 });

  it("self-refine with the PRM as critic resamples each weak candidate from the step before its first weak step", async () => {
    if (!countdown) throw new Error("no countdown problem");
    const verifier = createProcessRewardModel({ model: prmModel });
    const result = await createStrategy({ name: "self-refine", options: { using: "verifier", samples: 4, rounds: 1, revisions: 2 }, verifier }).run({
      model,
      call: { prompt: countdown.prompt, seed: 5 },
    });
    const [generated, critic, refiner] = layers(result.trace);
    expect(generated).toMatchObject({ role: "generator", candidates: 4 });
    expect(critic?.verifierTokens).toBeGreaterThan(0);
    // Scored again here: each sample the PRM finds a step under 0.5 in gets 2 revisions, each the sample's text
    // before that step and a new continuation.
    const samples = result.candidates.slice(0, 4);
    const expected: string[] = [];
    for (const sample of samples) {
      const { stepScores = [] } = await verifier.score({ prompt: countdown.prompt, solution: sample.text });
      const weak = stepScores.findIndex((score) => score < 0.5);
      if (weak !== -1) expected.push(stepPrefix(sample.text, weak), stepPrefix(sample.text, weak));
    }
    const revisions = result.candidates.slice(4);
    expect(refiner?.candidates).toBe(4 + expected.length);
    expect(revisions).toHaveLength(expected.length);
    revisions.forEach((revision, index) => {
      expect(revision.text.startsWith(expected[index] ?? "")).toBe(true);
      expect(revision.text.length).toBeGreaterThan((expected[index] ?? "").length);
    });
    // The answer is the candidate the PRM scores highest, which the exact checker grades like any other.
    const best = Math.max(...result.candidates.map((candidate) => candidate.score ?? 0));
    expect(result.confidence).toBeCloseTo(best, 6);
    expect(typeof tasks.countdown.check({ problem: countdown, solution: result.text }).correct).toBe("boolean");
  });

  it("cuts a solution before a step as a PRM counts steps (non-empty lines)", () => {
    expect(stepPrefix("a=1\n\nb=2\n#### 2", 0)).toBe("");
    expect(stepPrefix("a=1\n\nb=2\n#### 2", 1)).toBe("a=1\n\n");
    expect(stepPrefix("a=1\n\nb=2\n#### 2", 2)).toBe("a=1\n\nb=2\n");
  });

  it("an architecture file: 8 samples, the PRM keeps 3, a PRM-weighted vote", async () => {
    if (!countdown) throw new Error("no countdown problem");
    const config = writeJson("bundled.json", {
      kind: "mull-architecture",
      version: 1,
      layers: [[{ role: "generator", samples: 8 }], [{ role: "ranker", topK: 3 }], [{ role: "fuser", using: "weighted-vote" }]],
    });
    const verifier = createProcessRewardModel({ model: prmModel });
    const result = await createStrategy({ name: "archon", options: { config }, verifier }).run({ model, call: { prompt: countdown.prompt, seed: 9 } });
    expect(layers(result.trace).map((layer) => [layer.role, layer.candidates])).toEqual([
      ["generator", 8],
      ["ranker", 3],
      ["fuser", 1],
    ]);
    const scores = result.candidates.map((candidate) => candidate.score ?? 0).sort((a, b) => b - a);
    expect(result.candidates).toHaveLength(8);
    expect(scores[2]).toBeLessThanOrEqual(scores[0] ?? 0);
    expect(result.verifierTokens ?? 0).toBeGreaterThan(0);
    expect(result.usage.completionTokens).toBeGreaterThan(0);
  });
});

describe("architectures over HTTP", () => {
  const policy = createLlamaCppModel();
  let server: Awaited<ReturnType<typeof startServer>>;
  afterAll(async () => {
    await server?.close();
    await policy.dispose();
  });
  const post = (body: unknown) =>
    fetch(`${server.url}/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  it("a request sends the architecture itself; it may not name a file, and a bad document is a 400 naming the field", async () => {
    server = await startServer({ models: { "mull-tiny-policy": policy }, port: 0 });
    const architecture = { kind: "mull-architecture", version: 1, layers: [[{ role: "generator", samples: 3 }], [{ role: "fuser", using: "vote" }]] };
    const ok = await post({ model: "mull-tiny-policy", prompt: "Q: 12*(7+8)-9\nA: ", max_tokens: 120, mull: { strategy: "archon", architecture } });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { mull: { candidates: unknown[]; trace?: unknown } };
    expect(body.mull.candidates).toHaveLength(3);
    for (const [request, param] of [
      [{ strategy: "archon:config=/etc/passwd" }, "mull.config"],
      [{ strategy: "archon", config: "/etc/passwd" }, "mull.config"],
    ] as const) {
      const refused = await post({ model: "mull-tiny-policy", prompt: "x", mull: request });
      expect(refused.status).toBe(400);
      const error = ((await refused.json()) as { error: { message: string; param: string } }).error;
      expect(error.param).toBe(param);
      expect(error.message).not.toContain("root");
    }
    const bad = await post({
      model: "mull-tiny-policy",
      prompt: "x",
      mull: { strategy: "archon", architecture: { ...architecture, layers: [[{ role: "generator", samples: 0 }]] } },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/layers\[0\]\[0\]\.samples/);
  });
});

describe("a second generator layer", () => {
  it("adds its samples to the pool once", async () => {
    const { model } = await roleServer({ samples: ["6*7 = 42\n#### 42", "6*7 = 41\n#### 41"] });
    const architecture = {
      kind: "mull-architecture",
      version: 1,
      layers: [
        [{ role: "generator", samples: 2 }],
        [
          { role: "generator", samples: 3 },
          { role: "generator", samples: 1 },
        ],
      ],
    };
    const result = await createStrategy({ name: "archon", options: { architecture } }).run({ model, call });
    expect(layers(result.trace).map((layer) => layer.candidates)).toEqual([2, 6]);
    expect(result.candidates).toHaveLength(6);
  });
});
