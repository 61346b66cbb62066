import type { ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import { CallTimeoutError } from "../src/core/errors/call-timeout-error.js";
import { concurrencyLimitMiddleware } from "../src/middleware/concurrency-limit-middleware.js";
import { type ModelCallRecord, tracingMiddleware } from "../src/middleware/tracing-middleware.js";
import { wrapModel } from "../src/middleware/wrap-model.js";
import { createMull } from "../src/runtime/create-mull.js";
import { createSelfConsistency } from "../src/strategies/vote/self-consistency.js";
import { createVllmRewardModel } from "../src/verifiers/vllm-reward-model.js";
import { answerCompletions, closeLocalServers, serveLocal } from "./helpers/local-server.js";
import { readAll } from "./helpers/read-stream.js";

afterEach(closeLocalServers);

/** Streams `count` completion chunks, one every `everyMs`, then `[DONE]`. */
function streamChunks(response: ServerResponse, count: number, everyMs: number): void {
  response.writeHead(200, { "content-type": "text/event-stream" });
  let sent = 0;
  const timer = setInterval(() => {
    if (response.destroyed) return clearInterval(timer);
    if (sent < count) {
      sent++;
      const last = sent === count;
      response.write(`data: ${JSON.stringify({ choices: [{ index: 0, text: `t${sent} `, finish_reason: last ? "stop" : null }] })}\n\n`);
      return;
    }
    clearInterval(timer);
    response.end("data: [DONE]\n\n");
  }, everyMs);
}

describe("model middleware against real local servers", () => {
  it("turns a timed-out request into a retryable CallTimeoutError, and the retry succeeds", async () => {
    let requests = 0;
    const url = await serveLocal((_request, _body, response) => {
      requests++;
      if (requests === 1) return; // the first request hangs
      answerCompletions(response);
    });
    const retried = await createOpenAICompatibleModel({ baseURL: url, model: "m", timeoutMs: 200, maxRetries: 1 }).doGenerate({ prompt: "x" });
    expect(retried.completions[0]?.text).toBe("#### 1");
    expect(requests).toBe(2);
    requests = 0;
    const error = await createOpenAICompatibleModel({ baseURL: url, model: "m", timeoutMs: 200, maxRetries: 0 })
      .doGenerate({ prompt: "x" })
      .catch((caught: unknown) => caught);
    expect(CallTimeoutError.isInstance(error)).toBe(true);
    expect((error as CallTimeoutError).isRetryable).toBe(true);
    expect((error as Error).message).toMatch(/200 ms/);
  });

  it("keeps a caller's abort an abort, not a timeout", async () => {
    const url = await serveLocal(() => {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await createOpenAICompatibleModel({ baseURL: url, model: "m", timeoutMs: 5000 })
      .doGenerate({ prompt: "x", abortSignal: controller.signal })
      .catch((caught: unknown) => caught);
    expect(CallTimeoutError.isInstance(error)).toBe(false);
    expect((error as Error).name).toBe("AbortError");
  });

  it("holds a stream's concurrency slot until the stream ends, and a cancelled stream gives it back", async () => {
    const arrivals: number[] = [];
    const started = Date.now();
    const url = await serveLocal((_request, body, response) => {
      arrivals.push(Date.now() - started);
      if (body.stream) streamChunks(response, 50, 20);
      else answerCompletions(response);
    });
    const model = createOpenAICompatibleModel({ baseURL: url, model: "m", maxConcurrency: 1 });
    const stream = await model.doStream({ prompt: "x" });
    const reader = stream.getReader();
    await reader.read();
    const waiting = model.doGenerate({ prompt: "y" });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(arrivals).toHaveLength(1); // the second call waits for the open stream's slot
    await reader.cancel();
    await waiting;
    expect(arrivals).toHaveLength(2);
  });

  it("traces each call's outcome and spend, with no prompt, text or key in the record", async () => {
    const url = await serveLocal((_request, body, response) => {
      if (body.stream) streamChunks(response, 3, 5);
      else if (body.prompt === "fail") {
        response.writeHead(400, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: { message: "bad" } }));
      } else answerCompletions(response, 2);
    });
    const records: ModelCallRecord[] = [];
    const secret = "sk-secret-value";
    const model = wrapModel({
      model: createOpenAICompatibleModel({ baseURL: url, model: "m", apiKey: secret }),
      middleware: tracingMiddleware({ onCall: (record) => records.push(record) }),
    });
    await model.doGenerate({ prompt: "a private question", n: 2 });
    await readAll(await model.doStream({ prompt: "another private question" }));
    await model.doGenerate({ prompt: "fail" }).catch(() => {});
    expect(records.map((record) => [record.operation, record.outcome])).toEqual([
      ["generate", "ok"],
      ["stream", "ok"],
      ["generate", "error"],
    ]);
    expect(records[0]).toMatchObject({ provider: "openai-compatible", modelId: "m", n: 2, usage: { promptTokens: 3, completionTokens: 4 } });
    expect(records[1]?.usage?.completionTokens).toBe(3);
    expect(records[2]?.error).toMatchObject({ name: "MullBackendCallError", isRetryable: false });
    const serialized = JSON.stringify(records);
    for (const hidden of [secret, "private question", "#### 1", "t1 "]) expect(serialized).not.toContain(hidden);
  });

  it("a PRM on vLLM's pooling API retries a 503 and times out a hanging server with CallTimeoutError", async () => {
    let requests = 0;
    const url = await serveLocal((_request, body, response) => {
      requests++;
      if (requests === 1) {
        response.writeHead(503);
        response.end("busy");
        return;
      }
      if (String(body.input).includes("hang")) return;
      const steps = String(body.input).split("<extra_0>").slice(0, -1);
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ data: [{ data: steps.map(() => [0.25, 0.75]) }] }));
    });
    const prm = createVllmRewardModel({ baseURL: url, model: "prm", timeoutMs: 200, maxRetries: 1 });
    const scored = await prm.score({ prompt: "q", solution: "step one\n\nstep two" });
    expect(requests).toBe(2);
    expect(scored.stepScores).toHaveLength(2);
    expect(scored.score).toBeCloseTo(0.75, 6);
    const error = await prm.score({ prompt: "q", solution: "hang" }).catch((caught: unknown) => caught);
    expect(CallTimeoutError.isInstance(error)).toBe(true);
    expect(requests).toBe(4); // the timed-out attempt was retried once
  });
});

describe("middleware on the bundled model", () => {
  it("a wrapped model keeps every capability, and a strategy run through it is traced call by call", async () => {
    const base = createLlamaCppModel({ sequences: 2 });
    const records: ModelCallRecord[] = [];
    const model = wrapModel({
      model: base,
      middleware: [tracingMiddleware({ onCall: (record) => records.push(record) }), concurrencyLimitMiddleware({ maxConcurrency: 1 })],
    });
    try {
      expect(model.stepDelimiter).toBe(base.stepDelimiter);
      expect(model.formatProblem?.("2+2")).toBe(base.formatProblem?.("2+2"));
      expect(model.supportsRawPrompt).toBe(true);
      expect(typeof model.doScoreTokens).toBe("function");
      const result = await createSelfConsistency({ n: 4, waveSize: 2 }).run({
        model,
        call: { prompt: model.formatProblem!("3 + 4"), maxTokens: 48, seed: 5 },
      });
      expect(records).toHaveLength(result.usage.calls);
      expect(records.reduce((sum, record) => sum + (record.usage?.completionTokens ?? 0), 0)).toBe(result.usage.completionTokens);
      expect(records.every((record) => record.modelId === base.modelId && record.outcome === "ok")).toBe(true);
    } finally {
      await base.dispose();
    }
  });

  it("createMull applies its middleware to every model it resolves, the verifier's included", async () => {
    const records: ModelCallRecord[] = [];
    const traced = createMull({ middleware: [tracingMiddleware({ onCall: (record) => records.push(record) })] });
    try {
      const result = await traced.run({ strategy: "best-of-n:n=2", problem: "5 + 6", maxTokens: 48, seed: 1 });
      expect(result.candidates).toHaveLength(2);
      const seen = new Set(records.map((record) => `${record.modelId}:${record.operation}`));
      expect(seen).toContain("mull-tiny-policy:generate");
      expect(seen).toContain("mull-tiny-prm:score");
    } finally {
      await traced.dispose();
    }
  });
});
