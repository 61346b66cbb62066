import { afterAll, describe, expect, it } from "vitest";
import { createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { createServerApp } from "../src/server/create-server-app.js";
import { startServer } from "../src/server/start-server.js";

const model = createLlamaCppModel({ sequences: 2 });
afterAll(() => model.dispose());

describe("mull serve's life", () => {
  it("answers /healthz and /readyz, and /readyz says 503 while it drains", async () => {
    const lifecycle = { draining: false, inFlight: 0 };
    const app = createServerApp({ models: { m: model }, lifecycle });
    expect((await app.request("/healthz")).status).toBe(200);
    expect((await app.request("/readyz")).status).toBe(200);
    lifecycle.draining = true;
    expect((await app.request("/readyz")).status).toBe(503);
    expect((await app.request("/healthz")).status).toBe(200);
  });

  it("lets a request in flight finish when it closes, then stops", async () => {
    const server = await startServer({ models: { m: model }, port: 0 });
    const response = await fetch(`${server.url}/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "m", prompt: "Q: 1+1\nA: ", n: 2, max_tokens: 300, temperature: 1.5, seed: 1, stream: true }),
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value);
    const closing = server.close({ drainMs: 30_000 });
    for (let step = await reader.read(); !step.done; step = await reader.read()) text += decoder.decode(step.value);
    await closing;
    expect(text.trim().endsWith("data: [DONE]")).toBe(true);
    const refused = await fetch(`${server.url}/models`).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Error);
  });
});
