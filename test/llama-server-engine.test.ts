/**
 * The embedded backend's llama-server engine: llama.cpp's own server (built from the source node-llama-cpp
 * ships) as a child process decoding every sequence in one batch. Skipped, saying so, where the binary has
 * not been built; the error for a missing binary is tested everywhere.
 */
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLlamaCppModel, type LlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { findLlamaServer } from "../src/backends/llama-cpp/llama-server-process.js";
import { createMull } from "../src/runtime/create-mull.js";
import { createSelfConsistency } from "../src/strategies/vote/self-consistency.js";
import { loadSplit } from "../src/tasks/splits.js";

const binary = findLlamaServer();
if (!binary) console.warn("llama-server not built (npm run build:llama-server): the llama-server engine suite is skipped");

describe("the llama-server engine without its binary", () => {
  it("fails to load with an error that says how to build it", async () => {
    const saved = process.env.MULL_LLAMA_SERVER;
    process.env.MULL_LLAMA_SERVER = "/nonexistent/llama-server";
    try {
      const model = createLlamaCppModel({ engine: "llama-server" });
      await expect(model.load()).rejects.toThrow(/npm run build:llama-server/);
      await model.dispose();
    } finally {
      if (saved === undefined) delete process.env.MULL_LLAMA_SERVER;
      else process.env.MULL_LLAMA_SERVER = saved;
    }
  });

  it("refuses an unknown engine and an unknown spec setting by name", () => {
    expect(() => createLlamaCppModel({ engine: "vulkan" as "llama-server" })).toThrow(/engine/);
    expect(() => createLlamaCppModel({ engine: "llama-server", serverThreads: 0 })).toThrow(/serverThreads/);
    const mull = createMull();
    expect(() => mull.model("mull-tiny-policy?engin=llama-server")).toThrow(/llama-cpp has no option "engin"/);
  });
});

describe.skipIf(!binary)("the llama-server engine", () => {
  let model: LlamaCppModel;
  let inProcess: LlamaCppModel;
  beforeAll(async () => {
    model = createLlamaCppModel({ engine: "llama-server" });
    inProcess = createLlamaCppModel({ sequences: 2 });
    await Promise.all([model.load(), inProcess.load()]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([model?.dispose(), inProcess?.dispose()]);
  });

  it("counts a candidate's tokens as the in-process engine does (the end-of-text token not included)", async () => {
    const call = { prompt: "Q: 3+4*5-6*(2+9)\nA: ", temperature: 0, maxTokens: 250 };
    const [served, local] = await Promise.all([model.doGenerate(call), inProcess.doGenerate(call)]);
    expect(served.completions[0]?.text).toBe(local.completions[0]?.text);
    expect(served.completions[0]?.stoppedBy).toBe("end-of-text");
    expect(served.usage.completionTokens).toBe(local.usage.completionTokens);
    expect(served.usage.promptTokens).toBe(local.usage.promptTokens);
  });

  it("16 parallel greedy samples equal the same prompt decoded alone", async () => {
    for (const problem of loadSplit({ task: "arith", difficulty: "hard", limit: 4 })) {
      const call = { prompt: problem.prompt, temperature: 0, maxTokens: 250 };
      const alone = (await model.doGenerate({ ...call, n: 1 })).completions[0]?.text;
      const parallel = (await model.doGenerate({ ...call, n: 16 })).completions.map((completion) => completion.text);
      expect(alone).toMatch(/#### /);
      expect(parallel).toEqual(Array(16).fill(alone));
    }
  });

  it("seeded calls repeat; stop sequences end a candidate and are reported; usage counts the tokens", async () => {
    const call = { prompt: "Q: 3+4*5-6*(2+9)\nA: ", n: 4, temperature: 1, seed: 11, stop: ["\n"] };
    const first = await model.doGenerate(call);
    const second = await model.doGenerate(call);
    expect(second.completions.map((completion) => completion.text)).toEqual(first.completions.map((completion) => completion.text));
    for (const completion of first.completions) {
      expect(completion.text).not.toContain("\n");
      expect(completion).toMatchObject({ finishReason: "stop", stoppedBy: "stop-sequence", stopSequence: "\n" });
    }
    // One token per character with this model, plus the newline that stopped it.
    const characters = first.completions.reduce((sum, completion) => sum + completion.text.length + 1, 0);
    expect(first.usage.completionTokens).toBe(characters);
    expect(first.usage.promptTokens).toBe(4 * (await model.tokenize(call.prompt)).length + 4);
  });

  it("log-probabilities come from the model's whole distribution, as in-process (within 1e-2)", async () => {
    const call = { prompt: "Q: 17*(3-9)+5\nA: ", temperature: 0, logprobs: true, topLogprobs: 2, maxTokens: 12 };
    const served = (await model.doGenerate(call)).completions[0];
    const local = (await inProcess.doGenerate(call)).completions[0];
    expect(served?.text).toBe(local?.text);
    expect(served?.logprobs).toHaveLength(12);
    served?.logprobs?.forEach((entry, index) => {
      expect(entry.token).toBe(local?.logprobs?.[index]?.token);
      expect(Math.abs(entry.logprob - (local?.logprobs?.[index]?.logprob ?? 0))).toBeLessThan(1e-2);
      expect(entry.topLogprobs).toHaveLength(2);
    });
  });

  it("a cancelled call ends at once, its candidates marked aborted, and the engine goes on", async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    const result = await model.doGenerate({ prompt: "Q: 1+2\nA: ", n: 8, temperature: 1, maxTokens: 400, abortSignal: controller.signal });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result.completions.every((completion) => completion.finishReason === "abort" || completion.finishReason === "stop")).toBe(true);
    const after = await model.doGenerate({ prompt: "Q: 2+3*4\nA: ", temperature: 0, maxTokens: 64 });
    expect(after.completions[0]?.text).toMatch(/#### 14$/);
  });

  it("a server that dies is started again by the next call", async () => {
    const servers = () =>
      execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)], { encoding: "utf8" })
        .split("\n")
        .filter((line) => line.includes("llama-server"))
        .map((line) => Number(line.trim().split(/\s+/)[0]));
    const before = servers();
    expect(before).toHaveLength(1);
    for (const pid of before) process.kill(pid, "SIGKILL");
    for (let wait = 0; wait < 50 && servers().some((pid) => before.includes(pid)); wait++) await new Promise((resolve) => setTimeout(resolve, 100));
    const after = await model.doGenerate({ prompt: "Q: 2+3*4\nA: ", temperature: 0, maxTokens: 64 });
    expect(after.completions[0]?.text).toMatch(/#### 14$/);
    expect(servers().filter((pid) => !before.includes(pid))).toHaveLength(1);
  });

  it("runs strategies through the runtime from a model spec", async () => {
    const mull = createMull();
    const spec = mull.model("mull-tiny-policy?engine=llama-server");
    const result = await createSelfConsistency({ n: 8 }).run({ model: spec, call: { prompt: "Q: 2+3*4\nA: ", seed: 3, maxTokens: 64 } });
    expect(result.answer).toBe("14");
    expect(result.usage.completionTokens).toBeGreaterThan(8 * 5);
    await mull.dispose();
  });
});
