import { Agent, request } from "node:http";
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

describe("mull serve's keep-alive connections", () => {
  it("closes a connection whose body a route never read, so the next request on the client's pool is answered", async () => {
    const server = await startServer({ models: {}, port: 0, metrics: false, maxBodyBytes: 1_000_000 });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const root = server.url.replace(/\/v1$/, "");
    const send = (method: string, path: string, body: string) =>
      new Promise<{ status: number | undefined; connection: string | undefined }>((resolve, reject) => {
        const outgoing = request(`${root}${path}`, { method, agent, headers: { "content-type": "application/json" } }, (response) => {
          response.resume();
          response.on("end", () => resolve({ status: response.statusCode, connection: response.headers.connection }));
        });
        outgoing.on("error", reject);
        outgoing.end(body);
      });
    try {
      const large = JSON.stringify({ text: "a".repeat(400_000) });
      for (const [method, path] of [
        ["PUT", "/v1/nope"],
        ["GET", "/v1/models"],
        ["POST", "/nope"],
      ] as const) {
        const first = await send(method, path, large);
        expect(first.status).toBeGreaterThanOrEqual(400);
        expect(first.status).toBeLessThan(500);
        // The next request on the same pool is answered (before the fix: "socket hang up").
        expect((await send("POST", "/v1/nope", "{}")).status).toBe(404);
      }
      // A body over the limit is refused without being read, on a connection that then closes.
      const tooLarge = await send("POST", "/v1/chat/completions", JSON.stringify({ text: "a".repeat(1_500_000) })).catch(() => undefined);
      if (tooLarge) expect(tooLarge).toEqual({ status: 413, connection: "close" });
      expect((await send("POST", "/v1/nope", "{}")).status).toBe(404);
    } finally {
      agent.destroy();
      await server.close({ drainMs: 10 });
    }
  });
});

describe("mull serve's metrics", () => {
  it("counts requests by route, model and status, their latency, and the tokens each model and strategy spent", async () => {
    const server = await startServer({ models: { m: model }, port: 0 });
    try {
      const post = (body: unknown) =>
        fetch(`${server.url}/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then(
          async (response) => ({ status: response.status, body: (await response.json()) as { usage?: { prompt_tokens: number; completion_tokens: number } } }),
        );
      const plain = await post({ model: "m", prompt: "Q: 6*7\nA: ", temperature: 0 });
      const voted = await post({ model: "self-consistency/m", prompt: "Q: 6*7\nA: ", mull: { n: 2 } });
      const refused = await post({ model: "m" });
      expect([plain.status, voted.status, refused.status]).toEqual([200, 200, 400]);
      const responses = (await (
        await fetch(`${server.url}/responses`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "m", input: "6*7", temperature: 0 }),
        })
      ).json()) as { usage: { output_tokens: number } };
      const text = await (await fetch(`${server.url.replace(/\/v1$/, "")}/metrics`)).text();
      expect(text).toContain('mull_requests_total{route="/v1/completions",model="m",status="200"} 1');
      expect(text).toContain('mull_requests_total{route="/v1/completions",model="self-consistency/m",status="200"} 1');
      expect(text).toMatch(/mull_requests_total\{route="\/v1\/completions",model="",status="400"\} 1/);
      expect(text).toContain('mull_requests_total{route="/v1/responses",model="m",status="200"} 1');
      expect(text).toContain(
        `mull_tokens_total{model="m",strategy="none",kind="completion"} ${(plain.body.usage?.completion_tokens ?? 0) + responses.usage.output_tokens}`,
      );
      expect(text).toContain(`mull_tokens_total{model="m",strategy="self-consistency",kind="completion"} ${voted.body.usage?.completion_tokens}`);
      // Each call to the served model is counted: one plain, the votes' (one call for n=2), one for /v1/responses.
      expect(text).toMatch(/mull_model_calls_total\{model="m",outcome="ok"\} [3-9]/);
      expect(text).toMatch(/mull_request_duration_seconds_count\{route="\/v1\/completions",model="m"\} 1/);
      expect(text).toMatch(/mull_requests_in_flight \d/);
    } finally {
      await server.close();
    }
  });
});

describe("mull serve's API keys", () => {
  it("asks for a valid key, holds each key to its models, its rate and its day's tokens, and never shows a key", async () => {
    const secret = "sk-team-alpha-0123456789";
    const keys = [
      { key: secret, name: "alpha", models: ["m", "self-consistency/m"], requestsPerMinute: 3 },
      { key: "sk-team-beta-9876543210", name: "beta", tokensPerDay: 10 },
    ];
    const server = await startServer({ models: { m: model }, port: 0, keys });
    try {
      const call = (key: string | undefined, model = "m") =>
        fetch(`${server.url}/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
          body: JSON.stringify({ model, prompt: "Q: 6*7\nA: ", temperature: 0, max_tokens: 16 }),
        });
      const bodies: string[] = [];
      const expectStatus = async (response: Response, status: number) => {
        const text = await response.text();
        bodies.push(text);
        expect(response.status, text).toBe(status);
        return response;
      };
      await expectStatus(await call(undefined), 401);
      await expectStatus(await call("sk-wrong"), 401);
      await expectStatus(await call(secret), 200);
      await expectStatus(await call(secret, "best-of-n/m"), 403);
      await expectStatus(await call(secret), 200);
      await expectStatus(await call(secret), 200);
      const limited = await expectStatus(await call(secret), 429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      await expectStatus(await call("sk-team-beta-9876543210"), 200);
      const spent = await expectStatus(await call("sk-team-beta-9876543210"), 429);
      expect(Number(spent.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await fetch(`${server.url.replace(/\/v1$/, "")}/healthz`)).status).toBe(200);
      const metrics = await (await fetch(`${server.url.replace(/\/v1$/, "")}/metrics`)).text();
      for (const text of [...bodies, metrics]) expect(text).not.toContain("sk-team");
    } finally {
      await server.close();
    }
  });
});
