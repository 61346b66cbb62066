import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import { BackendCallError } from "../src/core/errors/backend-call-error.js";
import { createSelfConsistency } from "../src/strategies/vote/self-consistency.js";
import { answerCompletions, closeLocalServers, serveLocal } from "./helpers/local-server.js";
import { readAll } from "./helpers/read-stream.js";

afterEach(closeLocalServers);
const serve = serveLocal;
const ok = answerCompletions;

describe("OpenAI-compatible backend against real local servers", () => {
  it("retries 429 honouring retry-after, then 500, then succeeds", async () => {
    const seenAt: number[] = [];
    const url = await serve((_request, _body, response) => {
      seenAt.push(Date.now());
      if (seenAt.length === 1) {
        response.writeHead(429, { "retry-after-ms": "300" });
        response.end('{"error":{"message":"slow down"}}');
      } else if (seenAt.length === 2) {
        response.writeHead(500);
        response.end("boom");
      } else ok(response);
    });
    const model = createOpenAICompatibleModel({ baseURL: url, model: "m", maxRetries: 3 });
    const result = await model.doGenerate({ prompt: "x" });
    expect(result.completions[0]?.text).toBe("#### 1");
    expect(seenAt).toHaveLength(3);
    expect(seenAt[1]! - seenAt[0]!).toBeGreaterThanOrEqual(280);
  });

  it("gives up after maxRetries with a typed, retryable error, and does not retry a 400", async () => {
    let count = 0;
    const url = await serve((_request, _body, response) => {
      count++;
      response.writeHead(503);
      response.end("down");
    });
    const error = await createOpenAICompatibleModel({ baseURL: url, model: "m", maxRetries: 1 })
      .doGenerate({ prompt: "x" })
      .catch((caught: unknown) => caught);
    expect(BackendCallError.isInstance(error) && error.statusCode === 503 && error.isRetryable).toBe(true);
    expect(count).toBe(2);
    count = 0;
    const badUrl = await serve((_request, _body, response) => {
      count++;
      response.writeHead(400);
      response.end('{"error":{"message":"bad"}}');
    });
    const bad = await createOpenAICompatibleModel({ baseURL: badUrl, model: "m" })
      .doGenerate({ prompt: "x" })
      .catch((caught: unknown) => caught);
    expect(BackendCallError.isInstance(bad) && !bad.isRetryable).toBe(true);
    expect(count).toBe(1);
  });

  it("never puts the API key in errors, even when the server echoes it", async () => {
    const url = await serve((request, _body, response) => {
      response.writeHead(401);
      response.end(`invalid key ${request.headers.authorization}`);
    });
    const error = (await createOpenAICompatibleModel({ baseURL: url, model: "m", apiKey: "sk-secret-123" })
      .doGenerate({ prompt: "x" })
      .catch((caught: unknown) => caught)) as BackendCallError;
    expect(error.message).not.toContain("sk-secret-123");
    expect(error.responseBody).not.toContain("sk-secret-123");
    expect(JSON.stringify(error)).not.toContain("sk-secret-123");
  });

  it("detects a server that ignores n and fills up with parallel calls", async () => {
    const ns: unknown[] = [];
    const url = await serve((_request, body, response) => {
      ns.push(body.n);
      ok(response, 1);
    });
    const result = await createOpenAICompatibleModel({ baseURL: url, model: "m" }).doGenerate({ prompt: "x", n: 4 });
    expect(result.completions).toHaveLength(4);
    expect(ns).toEqual([4, 1, 1, 1]);
    expect(result.usage).toMatchObject({ calls: 4, completionTokens: 8 });
    expect(result.warnings.some((warning) => warning.type === "unsupported" && warning.feature === "n")).toBe(true);
  });

  it("spreads a pool's load by outstanding requests (prefix affinity off)", async () => {
    const counts = [0, 0];
    const slow = (index: number) => (_request: IncomingMessage, _body: Record<string, unknown>, response: ServerResponse) => {
      counts[index]!++;
      setTimeout(() => ok(response), 100);
    };
    const urls = [await serve(slow(0)), await serve(slow(1))];
    const model = createOpenAICompatibleModel({ baseURL: urls, model: "m", pool: { affinityChars: 0 } });
    await Promise.all(Array.from({ length: 8 }, () => model.doGenerate({ prompt: "x" })));
    expect(counts).toEqual([4, 4]);
  });

  it("cancels a hanging request when the signal aborts", async () => {
    const url = await serve(() => {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const error = await createOpenAICompatibleModel({ baseURL: url, model: "m" })
      .doGenerate({ prompt: "x", abortSignal: controller.signal })
      .catch((caught: unknown) => caught);
    expect((error as Error).name).toBe("AbortError");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("keeps chat history and extra message fields intact on the wire", async () => {
    let received: unknown;
    const url = await serve((_request, body, response) => {
      received = body.messages;
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }] }));
    });
    const messages = [
      { role: "system" as const, content: "be brief" },
      { role: "assistant" as const, content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: "{}" } }] },
      { role: "tool" as const, content: "42", tool_call_id: "call_1" },
      { role: "user" as const, content: "and now?" },
    ];
    const result = await createOpenAICompatibleModel({ baseURL: url, model: "m" }).doGenerate({ prompt: messages });
    expect(received).toEqual(messages);
    expect(result.completions[0]?.text).toBe("hi");
    expect(result.warnings.some((warning) => warning.type === "unsupported" && warning.feature === "usage")).toBe(true);
  });
});

describe("real servers' output shapes", () => {
  it("keeps reasoning_content apart from the answer and maps tool_calls and content_filter", async () => {
    const url = await serve((_request, body, response) => {
      if (body.stream) {
        response.writeHead(200, { "content-type": "text/event-stream" });
        response.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { reasoning_content: "Is it 3? " } }] })}\n\n`);
        response.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { reasoning_content: "No, 5." } }] })}\n\n`);
        response.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: "The answer is 5." }, finish_reason: "content_filter" }] })}\n\n`);
        response.end("data: [DONE]\n\n");
        return;
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          choices: [{ index: 0, message: { content: "The answer is 5.", reasoning_content: "Is it 3? No, 5." }, finish_reason: "tool_calls" }],
          usage: { prompt_tokens: 4, completion_tokens: 9 },
        }),
      );
    });
    const model = createOpenAICompatibleModel({ baseURL: url, model: "m" });
    const prompt = [{ role: "user" as const, content: "2+3?" }];
    const result = await model.doGenerate({ prompt });
    expect(result.completions[0]).toMatchObject({ text: "The answer is 5.", reasoning: "Is it 3? No, 5.", finishReason: "tool-calls" });
    const parts = await readAll(await model.doStream({ prompt }));
    const reasoning = parts.filter((part) => part.type === "reasoning-delta").map((part) => (part.type === "reasoning-delta" ? part.delta : ""));
    expect(reasoning.join("")).toBe("Is it 3? No, 5.");
    expect(parts.find((part) => part.type === "completion-end")).toMatchObject({ finishReason: "content-filter" });
    const voted = await createSelfConsistency({ n: 2 }).run({ model, call: { prompt } });
    expect(voted.answer).toBe("5");
  });
});

describe("usage that servers under-report", () => {
  it("counts each choice's own tokens where the server's usage covers only the first, and the budget sees them", async () => {
    // As llama.cpp's server does with n > 1: usage counts the first choice only.
    const url = await serve((_request, body, response) => {
      const n = Number(body.n ?? 1);
      const tokens = ["3", "+", "4", "=", "7", "\n", "####", " 7"];
      const logprobs = { tokens, token_logprobs: tokens.map(() => -0.1), top_logprobs: null };
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          choices: Array.from({ length: n }, (_, index) => ({ index, text: tokens.join(""), finish_reason: "stop", logprobs })),
          usage: { prompt_tokens: 5, completion_tokens: tokens.length },
        }),
      );
    });
    const model = createOpenAICompatibleModel({ baseURL: url, model: "m" });
    const result = await model.doGenerate({ prompt: "3+4=", n: 4, logprobs: true });
    expect(result.usage.completionTokens).toBe(32);
    expect(result.warnings.some((warning) => warning.type === "other" && /reported 8 completion tokens .* carried 32/.test(warning.message))).toBe(true);
    const budgeted = await createSelfConsistency({ n: 16, waveSize: 4 }).run({ model, call: { prompt: "3+4=" }, budget: { maxTokens: 100 } });
    expect(budgeted.stopReason).toBe("budget");
    // Four waves would be 128 tokens: the meter stops after the one that crossed 100 (prompt 5 + 32 per wave).
    expect(budgeted.usage.completionTokens).toBeLessThanOrEqual(96);
  });
});

describe("n beyond an upstream's slots, and its sampling defaults", () => {
  it("splits n into requests of at most maxN, seeded apart, joined in order (generate and stream), and neutralises the server's sampling", async () => {
    const bodies: Record<string, unknown>[] = [];
    const url = await serve((_request, body, response) => {
      bodies.push(body);
      const n = Number(body.n ?? 1);
      if (n > 2) {
        response.writeHead(400, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: { message: "n exceeds the number of slots" } }));
        return;
      }
      if (body.stream) {
        response.writeHead(200, { "content-type": "text/event-stream" });
        for (let index = 0; index < n; index++)
          response.write(`data: ${JSON.stringify({ choices: [{ index, text: `s${String(body.seed)}-${index}`, finish_reason: "stop" }] })}\n\n`);
        response.write(`data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 3, completion_tokens: n } })}\n\n`);
        response.end("data: [DONE]\n\n");
        return;
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          choices: Array.from({ length: n }, (_, index) => ({ index, text: `s${String(body.seed)}-${index}`, finish_reason: "stop" })),
          usage: { prompt_tokens: 3, completion_tokens: n },
        }),
      );
    });
    const refused = await createOpenAICompatibleModel({ baseURL: url, model: "m" })
      .doGenerate({ prompt: "x", n: 5 })
      .catch((error: unknown) => error);
    expect(BackendCallError.isInstance(refused) && refused.statusCode === 400).toBe(true);
    bodies.length = 0;
    const model = createOpenAICompatibleModel({ baseURL: url, model: "m", maxN: 2, neutralSampling: true });
    const result = await model.doGenerate({ prompt: "x", n: 5, seed: 10 });
    expect(bodies.map((body) => [body.n, body.seed])).toEqual([
      [2, 10],
      [2, 7929],
      [1, 15848],
    ]);
    expect(result.completions.map((completion) => completion.text)).toEqual(["s10-0", "s10-1", "s7929-0", "s7929-1", "s15848-0"]);
    expect(result.usage).toMatchObject({ promptTokens: 9, completionTokens: 5, calls: 3 });
    expect(bodies.every((body) => body.top_k === -1 && body.min_p === 0 && body.top_p === 1)).toBe(true);
    const parts = await readAll(await model.doStream({ prompt: "x", n: 5, seed: 10 }));
    expect(parts.filter((part) => part.type === "stream-start")).toHaveLength(1);
    expect(
      parts
        .filter((part) => part.type === "completion-end")
        .map((part) => (part.type === "completion-end" ? part.index : -1))
        .sort(),
    ).toEqual([0, 1, 2, 3, 4]);
    expect(parts.at(-1)).toMatchObject({ type: "end", usage: { promptTokens: 9, completionTokens: 5 } });
  });
});
