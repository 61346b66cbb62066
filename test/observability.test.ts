import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { trace } from "@opentelemetry/api";
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-node";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli/run-cli.js";
import { createMull } from "../src/runtime/create-mull.js";
import { startServer } from "../src/server/start-server.js";

// Spans go to memory through the real SDK, registered for this file (each test file runs in its own context).
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
const mull = createMull();

afterAll(async () => {
  await mull.dispose();
  await provider.shutdown();
  trace.disable();
});

describe("OpenTelemetry spans", () => {
  it("follow a request from the caller's trace through the strategy, each model call and the upstream's own server", async () => {
    const secret = "sk-upstream-0123456789abcdef";
    const upstream = await startServer({ models: { tiny: mull.model("mull-tiny-policy") }, port: 0, keys: [{ key: secret, name: "proxy" }] });
    const proxy = await startServer({
      models: { tiny: mull.model(`${upstream.url}#tiny?maxRetries=0`, { apiKey: secret }) },
      mull,
      routes: { vote: { strategy: "self-consistency:n=3", model: "tiny" } },
      port: 0,
    });
    try {
      exporter.reset();
      const traceId = "0af7651916cd43dd8448eb211c80319c";
      const response = await fetch(`${proxy.url}/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", traceparent: `00-${traceId}-b7ad6b7169203331-01` },
        body: JSON.stringify({ model: "vote", prompt: "Q: 6*7\nA: ", max_tokens: 24 }),
      });
      expect(response.status).toBe(200);
      await response.text();
      // The server span ends when the response is done; give the close event a moment.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
      const byName = (name: string) => spans.filter((span) => span.name === name);
      const parentOf = (span: (typeof spans)[number]) => spans.find((other) => other.spanContext().spanId === span.parentSpanContext?.spanId);

      const [server] = byName("POST /v1/completions").filter((span) => span.parentSpanContext?.spanId === "b7ad6b7169203331");
      expect(server?.attributes).toMatchObject({ "http.route": "/v1/completions", "http.response.status_code": 200, "mull.model": "vote" });
      const [strategy] = byName("mull.strategy self-consistency");
      expect(parentOf(strategy!)).toBe(server);
      expect(strategy?.attributes).toMatchObject({ "mull.candidates": 3, "mull.stop_reason": "completed" });
      const calls = byName("mull.model generate").filter((span) => parentOf(span) === strategy);
      expect(calls.length).toBeGreaterThanOrEqual(1);
      expect(calls.reduce((sum, span) => sum + Number(span.attributes["gen_ai.usage.output_tokens"]), 0)).toBe(
        strategy?.attributes["gen_ai.usage.output_tokens"],
      );
      const post = byName("POST").find((span) => calls.includes(parentOf(span)!));
      expect(post?.attributes["url.full"]).toBe(`${upstream.url}/completions`);
      // The upstream's server span joined the same trace through the traceparent mull sent.
      const upstreamServer = spans.find((span) => span !== server && span.name === "POST /v1/completions" && parentOf(span) === post);
      expect(upstreamServer).toBeDefined();
      const everything = JSON.stringify(spans.map((span) => span.attributes));
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain("6*7");
    } finally {
      await proxy.close();
      await upstream.close();
    }
  });
});

describe("mull serve's JSON logs", () => {
  it("write a line per request with its route, model, status and key name, and never a key", async () => {
    const directory = mkdtempSync(join(tmpdir(), "mull-logs-"));
    const secret = "sk-team-alpha-0123456789";
    const config = join(directory, "mull.config.json");
    writeFileSync(config, JSON.stringify({ models: { tiny: "mull-tiny-policy" }, keys: [{ key: secret, name: "alpha" }] }));
    const controller = new AbortController();
    const out: string[] = [];
    const err: string[] = [];
    const done = runCli({
      args: ["serve", "--port", "0", "--config", config],
      mull,
      out: (line) => out.push(line),
      err: (text) => err.push(text),
      signal: controller.signal,
    });
    for (let wait = 0; wait < 500 && !out.some((line) => line.includes("http://")); wait++) await new Promise((resolve) => setTimeout(resolve, 10));
    const url = /(http:\/\/\S+\/v1)/.exec(out.join("\n"))?.[1] as string;
    const call = (key: string) =>
      fetch(`${url}/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ model: "tiny", prompt: "Q: 6*7\nA: ", max_tokens: 8 }),
      });
    expect((await call(secret)).status).toBe(200);
    expect((await call("sk-wrong-key-000000")).status).toBe(401);
    controller.abort();
    expect(await done).toBe(0);
    const lines = err
      .join("")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = lines.filter((line) => line.msg === "request");
    expect(requests).toEqual([
      expect.objectContaining({ route: "/v1/completions", status: 200, model: "tiny", keyName: "alpha", level: 30 }),
      expect.objectContaining({ status: 401 }),
    ]);
    expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(["listening", "closing"]));
    expect(err.join("")).not.toContain(secret);
    expect(err.join("")).not.toContain("sk-wrong-key");
  });
});
