/**
 * The OpenAI-compatible backend against responses recorded from a real server (llama.cpp's llama-server on
 * the bundled policy; `scripts/record-fixtures.ts`), replayed byte for byte by a local HTTP server, so that
 * these checks run without the binary. vLLM, SGLang and OpenAI recordings are still to come (no network here).
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import { BackendCallError } from "../src/core/errors/backend-call-error.js";
import type { StreamPart } from "../src/core/stream-part.js";
import { closeLocalServers, serveLocal } from "./helpers/local-server.js";
import { readAll } from "./helpers/read-stream.js";

type Exchange = { name: string; path: string; body: Record<string, unknown>; status: number; contentType: string; response: string };
const recording = JSON.parse(readFileSync("test/fixtures/recorded/llama-server-v0.4.0.json", "utf8")) as { recorded: Exchange[] };

/** What distinguishes the recorded requests, read the same way from mull's requests. */
const keyOf = (path: string, body: Record<string, unknown>) =>
  JSON.stringify([path, body.stream === true, Number(body.n ?? 1), Array.isArray(body.stop) && body.stop.length > 0, Boolean(body.logprobs)]);

afterEach(closeLocalServers);

async function replay(): Promise<string> {
  const byKey = new Map(recording.recorded.map((exchange) => [keyOf(exchange.path, exchange.body), exchange]));
  return serveLocal((request, body, response) => {
    const exchange = byKey.get(keyOf(String(request.url).replace(/^\/v1/, ""), body));
    if (!exchange) {
      response.writeHead(404);
      response.end(`no recording for ${keyOf(String(request.url), body)}`);
      return;
    }
    response.writeHead(exchange.status, { "content-type": exchange.contentType });
    response.end(exchange.response);
  });
}

const prompt = "Q: 17*(3-9)+5\nA: ";
const solution = "3-9=-6\n17*-6=-102\n5+-102=-97\n#### -97";

describe("llama.cpp's server, recorded", () => {
  it("reads completions, stops and usage", async () => {
    const model = createOpenAICompatibleModel({ baseURL: await replay(), model: "mull-tiny-policy" });
    const plain = await model.doGenerate({ prompt, maxTokens: 48, temperature: 0 });
    expect(plain.completions[0]).toMatchObject({ text: solution, finishReason: "stop" });
    expect(plain.usage).toMatchObject({ promptTokens: 18, completionTokens: 38 });
    const stopped = await model.doGenerate({ prompt, maxTokens: 48, temperature: 0, stop: ["\n"] });
    expect(stopped.completions[0]).toMatchObject({ text: "3-9=-6", finishReason: "stop" });
  });

  it("reads its log-probabilities (the chat shape, on /completions too) and counts every choice's tokens", async () => {
    const model = createOpenAICompatibleModel({ baseURL: await replay(), model: "mull-tiny-policy" });
    const result = await model.doGenerate({ prompt, maxTokens: 48, temperature: 1, seed: 3, n: 2, logprobs: true, topLogprobs: 2 });
    expect(result.completions).toHaveLength(2);
    for (const completion of result.completions) {
      expect(completion.logprobs?.length).toBeGreaterThan(0);
      expect(completion.logprobs?.map((item) => item.token).join("")).toBe(completion.text);
      expect(completion.logprobs?.[0]?.topLogprobs).toHaveLength(2);
    }
    const perChoice = result.completions.reduce((sum, completion) => sum + (completion.logprobs?.length ?? 0), 0);
    expect(result.usage.completionTokens).toBe(perChoice);
  });

  it("streams completions and chat", async () => {
    const model = createOpenAICompatibleModel({ baseURL: await replay(), model: "mull-tiny-policy" });
    const text = (parts: StreamPart[]) => parts.map((part) => (part.type === "text-delta" ? part.delta : "")).join("");
    const completion = await readAll(await model.doStream({ prompt, maxTokens: 48, temperature: 0 }));
    expect(text(completion)).toBe(solution);
    expect(completion.at(-1)).toMatchObject({ type: "end", usage: { promptTokens: 18, completionTokens: 38 } });
    const chat = await readAll(await model.doStream({ prompt: [{ role: "user", content: "17*(3-9)+5" }], maxTokens: 24, temperature: 0 }));
    expect(text(chat).length).toBeGreaterThan(0);
    expect(chat.some((part) => part.type === "completion-end" && part.finishReason === "stop")).toBe(true);
  });

  it("reads chat with log-probabilities, and its refusal of n above the slots as a typed 400", async () => {
    const model = createOpenAICompatibleModel({ baseURL: await replay(), model: "mull-tiny-policy" });
    const chat = await model.doGenerate({ prompt: [{ role: "user", content: "17*(3-9)+5" }], maxTokens: 24, temperature: 0, logprobs: true, topLogprobs: 2 });
    expect(chat.completions[0]?.logprobs?.map((item) => item.token).join("")).toBe(chat.completions[0]?.text);
    const refused = await model.doGenerate({ prompt, maxTokens: 8, n: 5 }).catch((error: unknown) => error);
    expect(BackendCallError.isInstance(refused)).toBe(true);
    expect((refused as BackendCallError).statusCode).toBe(400);
    expect((refused as BackendCallError).isRetryable).toBe(false);
    expect((refused as Error).message).toMatch(/Value must be between 1 <= value <= 2/);
  });
});
