/**
 * One runtime behind every entry point: a strategy defined here alone reaches `mull solve`, `mull serve`
 * and `mull bench`; one spec gives the same settings (and the same refusal) from the library, the CLI, the
 * server and the bench; every verifier kind is reachable by spec from the CLI, the server and the bench.
 */
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { RunStore } from "../src/bench/run-store.js";
import { runCli } from "../src/cli/run-cli.js";
import { InvalidArgumentError } from "../src/core/errors/invalid-argument-error.js";
import type { RunSettings } from "../src/core/strategy.js";
import { defineStrategy } from "../src/extension/define-strategy.js";
import { createMull } from "../src/runtime/create-mull.js";
import { createAdaptiveConsistency } from "../src/strategies/vote/adaptive-consistency.js";

/**
 * A strategy of the test's own: n samples, the first answer wins, and a trace event of its own, declared beside
 * it. Nothing else in mull knows it: adding it touched no file of src/.
 */
declare module "../src/core/trace-event.js" {
  interface TraceEventData {
    "first-answer": { index: number; of: number };
  }
}

const firstAnswer = defineStrategy({
  name: "first-answer",
  description: "Samples n solutions and returns the first that has an answer",
  options: z.strictObject({ n: z.number().int().min(1).max(8).default(2).describe("Samples to draw") }),
  async run(context) {
    const candidates = await context.sample({ n: context.options.n, temperature: 0.7, waveSize: context.options.n });
    const chosen = candidates.find((candidate) => candidate.answer !== undefined);
    context.trace("first-answer", { index: chosen ? candidates.indexOf(chosen) : -1, of: candidates.length });
    return { chosen, confidence: chosen ? 1 : 0, candidates };
  },
});

const mull = createMull({ strategies: [firstAnswer] });
afterAll(() => mull.dispose());

/** Runs one CLI command in-process with this file's runtime; collects what it prints. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const lines: string[] = [];
  let err = "";
  const code = await runCli({ args, mull, out: (line) => lines.push(line), err: (text) => (err += text) });
  return { code, out: lines.join("\n"), err };
}

/** Starts `mull serve` in-process; returns its base URL and a stop function. */
async function serve(...args: string[]): Promise<{ url: string; stop: () => Promise<number> }> {
  const controller = new AbortController();
  const lines: string[] = [];
  const done = runCli({ args: ["serve", "--port", "0", ...args], mull, out: (line) => lines.push(line), err: () => {}, signal: controller.signal });
  for (let wait = 0; wait < 500 && !lines.some((line) => line.includes("http://")); wait++) await new Promise((resolve) => setTimeout(resolve, 10));
  const url = /(http:\/\/\S+\/v1)/.exec(lines.join("\n"))?.[1];
  if (!url) throw new Error(`mull serve did not start: ${lines.join("\n")}`);
  return {
    url,
    stop: async () => {
      controller.abort();
      return done;
    },
  };
}

const post = (url: string, body: unknown) =>
  fetch(`${url}/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

const database = () => join(mkdtempSync(join(tmpdir(), "mull-runtime-")), "runs.db");

/** Runs `mull bench` on two arith problems and returns the stored units. */
async function bench(strategy: string, ...args: string[]) {
  const db = database();
  const result = await cli("bench", "--dataset", "arith-hard", "--limit", "2", "--strategies", strategy, "--max-tokens", "80", "--db", db, "--json", ...args);
  if (result.code !== 0) return { ...result, units: [] };
  const store = new RunStore(db);
  try {
    const run = (JSON.parse(result.out) as { run: string }).run;
    return { ...result, units: store.units(run) };
  } finally {
    store.close();
  }
}

describe("a strategy defined in a test file alone", () => {
  it("runs from mull solve", async () => {
    const result = await cli("solve", "23+4*17-(38-9)", "--strategy", "first-answer:n=3", "--seed", "1", "--max-tokens", "80", "--json");
    expect(result.code, result.err).toBe(0);
    const body = JSON.parse(result.out) as { candidates: unknown[]; settings: RunSettings };
    expect(body.settings).toEqual({ strategy: "first-answer", options: { n: 3 }, model: "mull-tiny-policy" });
    expect(body.candidates).toHaveLength(3);
  });

  it("is served by mull serve, listed and called by model id", async () => {
    const server = await serve();
    try {
      const models = (await (await fetch(`${server.url}/models`)).json()) as { data: { id: string }[] };
      expect(models.data.map((model) => model.id)).toContain("first-answer/mull-tiny-policy");
      const response = await post(server.url, { model: "first-answer/mull-tiny-policy", prompt: "Q: 2+3*4\nA: ", max_tokens: 80, seed: 1, mull: { n: 2 } });
      const body = (await response.json()) as { mull: { strategy: string; candidates: unknown[]; settings: RunSettings } };
      expect(response.status).toBe(200);
      expect(body.mull.settings).toEqual({ strategy: "first-answer", options: { n: 2 }, model: "mull-tiny-policy" });
      expect(body.mull.candidates).toHaveLength(2);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it("records its own trace event, typed by its own declaration", async () => {
    const result = await mull.run({ strategy: "first-answer:n=2", problem: "2+3*4", maxTokens: 80, seed: 1 });
    const event = result.trace.find((item) => item.type === "first-answer");
    expect(event?.type === "first-answer" ? event.data.of : undefined).toBe(2);
  });

  it("is benchmarked by mull bench", async () => {
    const result = await bench("first-answer:n=2");
    expect(result.code, result.err).toBe(0);
    expect(result.units).toHaveLength(2);
    expect(result.units[0]?.detail.settings).toEqual({ strategy: "first-answer", options: { n: 2 }, model: "mull-tiny-policy" });
  });
});

describe("one spec, the same settings from every entry point", () => {
  const spec = "adaptive-consistency:threshold=0.9:maxSamples=4";
  const expected: RunSettings = {
    strategy: "adaptive-consistency",
    options: { maxSamples: 4, threshold: 0.9, minSamples: 2, waveSize: 4, temperature: 0.7 },
    model: "mull-tiny-policy",
  };

  it("the library, mull solve --json, the server's mull object and a bench unit report identical settings", async () => {
    const library = await mull.run({ strategy: spec, problem: "2+3*4", maxTokens: 80, seed: 1 });
    expect(library.settings).toEqual(expected);
    const factory = await createAdaptiveConsistency({ threshold: 0.9, maxSamples: 4 }).run({
      model: mull.model(),
      call: { prompt: "Q: 2+3*4\nA: ", maxTokens: 80 },
    });
    expect(factory.settings).toEqual(expected);
    const solved = await cli("solve", "2+3*4", "--strategy", spec, "--max-tokens", "80", "--json");
    expect((JSON.parse(solved.out) as { settings: RunSettings }).settings).toEqual(expected);
    const server = await serve();
    try {
      const response = await post(server.url, { model: "mull-tiny-policy", prompt: "Q: 2+3*4\nA: ", max_tokens: 80, mull: { strategy: spec } });
      expect(((await response.json()) as { mull: { settings: RunSettings } }).mull.settings).toEqual(expected);
      // The same options given as mull keys, not in the spec.
      const keyed = await post(server.url, {
        model: "adaptive-consistency/mull-tiny-policy",
        prompt: "Q: 2+3*4\nA: ",
        max_tokens: 80,
        mull: { threshold: 0.9, maxSamples: 4 },
      });
      expect(((await keyed.json()) as { mull: { settings: RunSettings } }).mull.settings).toEqual(expected);
    } finally {
      await server.stop();
    }
    const benched = await bench(spec);
    expect(benched.units[0]?.detail.settings).toEqual(expected);
  });

  it("an out-of-bounds value is refused by all four with the same message", async () => {
    const bad = "adaptive-consistency:threshold=5";
    let message = "";
    try {
      mull.strategy(bad);
    } catch (error) {
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
      message = (error as Error).message;
    }
    expect(message).toContain("threshold must be a number > 0 and <= 1, got 5");
    expect(() => createAdaptiveConsistency({ threshold: 5 })).toThrow(message);
    const solved = await cli("solve", "1+1", "--strategy", bad);
    expect(solved.code).toBe(2);
    expect(solved.err).toContain(message);
    const benched = await bench(bad);
    expect(benched.code).toBe(2);
    expect(benched.err).toContain(message);
    const server = await serve();
    try {
      const response = await post(server.url, { model: "adaptive-consistency/mull-tiny-policy", prompt: "x", mull: { threshold: 5 } });
      const body = (await response.json()) as { error: { message: string; param: string; type: string } };
      expect(response.status).toBe(400);
      expect(body.error).toMatchObject({ message, param: "threshold", type: "invalid_request_error" });
    } finally {
      await server.stop();
    }
  });
});

/** A real local server in vLLM's pooling-API shape: every step scores p(good) 0.8. */
const pooling: Server = createServer((request, response) => {
  let raw = "";
  request.on("data", (chunk) => (raw += chunk));
  request.on("end", () => {
    const steps = (JSON.parse(raw) as { input: string }).input.split("<extra_0>").slice(0, -1);
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ object: "list", data: [{ index: 0, object: "pooling", data: steps.map(() => [0.2, 0.8]) }] }));
  });
});
await new Promise<void>((resolve) => pooling.listen(0, "127.0.0.1", resolve));
afterAll(() => new Promise((resolve) => pooling.close(resolve)));
const poolingURL = `http://127.0.0.1:${(pooling.address() as AddressInfo).port}/v1`;

describe("every verifier kind by spec", () => {
  // The bundled policy's solutions are lines, so the vLLM PRM splits steps on "\n" here.
  const kinds: [string, string][] = [
    ["prm:aggregation=min", "prm:model=mull-tiny-prm,aggregation=min,cacheSize=10000"],
    ["judge:mull-tiny-policy,mode=score", "judge:model=mull-tiny-policy,mode=score"],
    [
      `vllm-prm:url=${poolingURL},model=qwen-prm,stepDelimiter=\\n`,
      `vllm-prm:url=${poolingURL},model=qwen-prm,aggregation=min,stepSeparator=<extra_0>,stepDelimiter=\\n,maxRetries=2,timeoutMs=120000`,
    ],
    ["oracle:arith", "oracle:task=arith"],
  ];

  it.each(kinds)("%s from mull solve and mull bench", async (spec, canonical) => {
    const solved = await cli("solve", "2+3*4", "--strategy", "best-of-n:n=2", "--verifier", spec, "--max-tokens", "60", "--seed", "1", "--json");
    expect(solved.code, solved.err).toBe(0);
    const body = JSON.parse(solved.out) as { settings: RunSettings; candidates: { score?: number }[] };
    expect(body.settings.verifier).toBe(canonical);
    expect(body.candidates.every((candidate) => typeof candidate.score === "number")).toBe(true);
    const benched = await bench("best-of-n:n=2", "--verifier", spec);
    expect(benched.code, benched.err).toBe(0);
    expect((benched.units[0]?.detail.settings as RunSettings | undefined)?.verifier).toBe(canonical);
  });

  it("from the server: a request names any verifier the server was started with, and no other", async () => {
    const server = await serve(...kinds.flatMap(([spec]) => ["--verifier", spec]));
    try {
      for (const [spec, canonical] of kinds) {
        const response = await post(server.url, {
          model: "best-of-n/mull-tiny-policy",
          prompt: "Q: 2+3*4\nA: ",
          max_tokens: 60,
          mull: { n: 2, verifier: spec },
        });
        const body = (await response.json()) as { mull: { settings: RunSettings } };
        expect(response.status, JSON.stringify(body)).toBe(200);
        expect(body.mull.settings.verifier).toBe(canonical);
      }
      const refused = await post(server.url, { model: "best-of-n/mull-tiny-policy", prompt: "x", mull: { verifier: "oracle:countdown" } });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toContain("does not serve the verifier");
    } finally {
      await server.stop();
    }
  });
});
