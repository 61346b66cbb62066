/**
 * Fuzzes `mull serve` with malformed and hostile requests: random JSON, valid requests with one field
 * replaced by anything, huge values, deep nesting, invalid UTF-8, oversized bodies, odd headers and paths,
 * streaming and not. The server fronts a fast local upstream (so that well-formed requests finish at
 * once) and the bundled model. Counts: responses by status, 5xx, hangs (no answer in 15 s), connection
 * errors, and uncaught errors; then checks the server still answers.
 *
 *   npx tsx scripts/fuzz-server.ts [--requests 10000] [--seed 1] [--concurrency 16]
 */
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import { createMull } from "../src/runtime/create-mull.js";
import { startServer } from "../src/server/start-server.js";
import { numberFlag } from "./proxy-bench-helpers.js";

const total = numberFlag("requests", 10_000);
const seed = numberFlag("seed", 1);
const concurrency = numberFlag("concurrency", 16);

let uncaught = 0;
process.on("uncaughtException", (error) => {
  uncaught++;
  console.error("uncaught:", error);
});
process.on("unhandledRejection", (error) => {
  uncaught++;
  console.error("unhandled rejection:", error);
});

/** An upstream that answers every completion or chat request at once, streaming or not. */
async function startUpstream(): Promise<string> {
  const server = createServer((request, response) => {
    // mull cancels a call whose client went away; the write that finds the socket closed is expected.
    response.on("error", () => {});
    let raw = "";
    request.on("data", (chunk) => (raw += chunk));
    request.on("end", () => {
      const body = JSON.parse(raw || "{}") as { n?: number; stream?: boolean; messages?: unknown };
      const n = Math.min(body.n ?? 1, 128);
      const chat = body.messages !== undefined;
      const choice = (index: number) =>
        chat ? { index, message: { role: "assistant", content: "#### 4" }, finish_reason: "stop" } : { index, text: "#### 4", finish_reason: "stop" };
      if (body.stream) {
        response.writeHead(200, { "content-type": "text/event-stream" });
        for (let index = 0; index < n; index++) {
          const delta = chat ? { index, delta: { content: "#### 4" }, finish_reason: "stop" } : { index, text: "#### 4", finish_reason: "stop" };
          response.write(`data: ${JSON.stringify({ choices: [delta] })}\n\n`);
        }
        response.end(`data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 3 * n } })}\n\ndata: [DONE]\n\n`);
        return;
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ choices: Array.from({ length: n }, (_, index) => choice(index)), usage: { prompt_tokens: 5, completion_tokens: 3 * n } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

type Probe = { method: "GET" | "POST"; path: string; headers: Record<string, string>; body?: Buffer; label: string };

const routes = ["/v1/chat/completions", "/v1/completions", "/v1/responses", "/v1/messages", "/v1/messages/count_tokens"];
const models = ["up", "self-consistency/up", "best-of-n/up", "beam-search/up", "mull-tiny-policy", "nope", "single/up"];
const valid = {
  "/v1/chat/completions": { model: "up", messages: [{ role: "user", content: "2+2" }], max_tokens: 8 },
  "/v1/completions": { model: "up", prompt: "Q: 2+2\nA: ", max_tokens: 8 },
  "/v1/responses": { model: "up", input: "2+2", max_output_tokens: 16 },
  "/v1/messages": { model: "up", max_tokens: 8, messages: [{ role: "user", content: "2+2" }] },
  "/v1/messages/count_tokens": { model: "up", messages: [{ role: "user", content: "2+2" }] },
} as const;

const hostile = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.constantFrom(null, true, -1, 0, 1e308, -1e308, 2 ** 53 + 1, "", "x".repeat(100_000), [], {}, [[[]]], { $ref: "#" }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** A valid request with one field (top level, in `mull`, or in a message) set to something hostile. */
const mutated = fc
  .tuple(
    fc.constantFrom(...routes),
    fc.constantFrom(
      "model",
      "messages",
      "prompt",
      "input",
      "n",
      "temperature",
      "top_p",
      "max_tokens",
      "stop",
      "seed",
      "stream",
      "logprobs",
      "top_logprobs",
      "tools",
      "tool_choice",
      "response_format",
      "mull",
      "mull.n",
      "mull.strategy",
      "mull.verifier",
      "mull.budgetTokens",
      "mull.answerPattern",
      "messages.0.content",
      "messages.0.role",
      "stream_options",
      "max_output_tokens",
      "instructions",
      "top_k",
      "min_p",
      "presence_penalty",
      "repetition_penalty",
      "logit_bias",
      "reasoning_effort",
      "thinking_token_budget",
      "chat_template_kwargs",
      "temprature",
      "mull.maxReasoningTokens",
      "mull.minReasoningTokens",
      "mull.strict",
      "previous_response_id",
      "text",
      "reasoning",
      "thinking",
      "system",
      "stop_sequences",
      "output_config",
      "messages.0.role",
    ),
    hostile,
    fc.constantFrom(...models),
    fc.boolean(),
  )
  .map(([path, field, value, model, stream]): Probe => {
    const body = structuredClone(valid[path as keyof typeof valid]) as Record<string, unknown>;
    body.model = model;
    if (stream) body.stream = true;
    const [head, ...rest] = field.split(".");
    if (rest.length === 0) body[head as string] = value;
    else if (head === "mull") body.mull = { strategy: "self-consistency", [rest[0] as string]: value };
    else if (Array.isArray(body.messages)) {
      const message = { ...(body.messages[0] as Record<string, unknown>) };
      message[rest[1] as string] = value;
      body.messages = [message];
    }
    return {
      method: "POST",
      path,
      headers: { "content-type": "application/json" },
      body: Buffer.from(JSON.stringify(body) ?? "null"),
      label: `mutated ${field}`,
    };
  });

const randomJson = fc.tuple(fc.constantFrom(...routes), fc.jsonValue({ maxDepth: 6 })).map(
  ([path, value]): Probe => ({
    method: "POST",
    path,
    headers: { "content-type": "application/json" },
    body: Buffer.from(JSON.stringify(value) ?? "null"),
    label: "random JSON",
  }),
);

const deep = fc
  .tuple(fc.constantFrom(...routes), fc.integer({ min: 1_000, max: 200_000 }), fc.constantFrom("[", '{"a":', '{"model":"up","mull":'))
  .map(([path, depth, opener]): Probe => {
    const closer = opener === "[" ? "]" : "}";
    return {
      method: "POST",
      path,
      headers: { "content-type": "application/json" },
      body: Buffer.from(`${opener.repeat(depth)}1${closer.repeat(depth)}`),
      label: "deep nesting",
    };
  });

const invalidUtf8 = fc.tuple(fc.constantFrom(...routes), fc.uint8Array({ minLength: 1, maxLength: 64 })).map(([path, bytes]): Probe => {
  const template = Buffer.from(JSON.stringify({ ...valid[path as keyof typeof valid], user: "@@" }));
  const at = template.indexOf("@@");
  return {
    method: "POST",
    path,
    headers: { "content-type": "application/json" },
    body: Buffer.concat([template.subarray(0, at), Buffer.from(bytes), template.subarray(at + 2)]),
    label: "invalid UTF-8",
  };
});

const oversized = fc.tuple(fc.constantFrom(...routes), fc.integer({ min: 1, max: 3 })).map(
  ([path, megabytes]): Probe => ({
    method: "POST",
    path,
    headers: { "content-type": "application/json" },
    body: Buffer.from(JSON.stringify({ ...valid[path as keyof typeof valid], prompt: "x".repeat(megabytes * 1024 * 1024 + 7) })),
    label: "oversized",
  }),
);

const headerChars = fc.string({ unit: fc.constantFrom(..."abcXYZ019 ;=/-_.,:\t!#$%&'*+^`|~()<>@?[]{}\""), maxLength: 80 });
const oddHeaders = fc
  .tuple(fc.constantFrom(...routes), fc.option(headerChars), fc.option(headerChars), fc.option(headerChars), fc.boolean())
  .map(([path, contentType, authorization, extra, withBody]): Probe => {
    const headers: Record<string, string> = {};
    if (contentType !== null) headers["content-type"] = contentType;
    if (authorization !== null) headers.authorization = authorization;
    if (extra !== null) headers["x-mull-fuzz"] = extra;
    return {
      method: "POST",
      path,
      headers,
      ...(withBody ? { body: Buffer.from(JSON.stringify(valid[path as keyof typeof valid])) } : {}),
      label: "odd headers",
    };
  });

const oddPaths = fc
  .tuple(fc.constantFrom<"GET" | "POST">("GET", "POST"), fc.string({ maxLength: 60 }))
  .map(([method, tail]): Probe => ({ method, path: `/v1/${encodeURIComponent(tail)}`, headers: {}, label: "odd paths" }));
const modelIds = fc
  .string({ maxLength: 300 })
  .map((id): Probe => ({ method: "GET", path: `/v1/models/${encodeURIComponent(id)}`, headers: {}, label: "model ids" }));

const probes = fc.oneof(
  { arbitrary: mutated, weight: 40 },
  { arbitrary: randomJson, weight: 15 },
  { arbitrary: deep, weight: 5 },
  { arbitrary: invalidUtf8, weight: 10 },
  { arbitrary: oversized, weight: 2 },
  { arbitrary: oddHeaders, weight: 13 },
  { arbitrary: oddPaths, weight: 8 },
  { arbitrary: modelIds, weight: 7 },
);

/** Sends one probe with node:http (headers as given); resolves with its status, or how it failed. */
function send(base: URL, probe: Probe): Promise<{ status: number | "hang" | `connection error${string}`; body: string }> {
  return new Promise((resolve) => {
    const request = httpRequest(
      // A connection per request, so that one the server closes (an oversized body) takes no other request with it.
      {
        agent: false,
        host: base.hostname,
        port: base.port,
        method: probe.method,
        path: probe.path,
        headers: { ...probe.headers, ...(probe.body ? { "content-length": String(probe.body.length) } : {}) },
      },
      (response) => {
        let body = "";
        response.on("data", (chunk) => {
          if (body.length < 2000) body += chunk;
        });
        response.on("end", () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, body });
        });
        response.on("error", () => resolve({ status: "connection error", body }));
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      resolve({ status: "hang", body: "" });
    }, 15_000);
    request.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ status: `connection error ${error.code ?? error.message}`, body: "" });
    });
    if (probe.body) request.write(probe.body);
    request.end();
  });
}

async function main() {
  const upstream = await startUpstream();
  const mull = createMull();
  const server = await startServer({
    models: { up: createOpenAICompatibleModel({ baseURL: upstream, model: "fast", maxRetries: 0 }), "mull-tiny-policy": mull.model("mull-tiny-policy") },
    mull,
    port: 0,
    maxBodyBytes: 1024 * 1024,
  });
  const base = new URL(server.url);
  const samples = fc.sample(probes, { numRuns: total, seed });
  const statuses = new Map<string, number>();
  const failures: { label: string; status: string; body: string; probe: string }[] = [];
  const byLabel = new Map<string, number>();
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < samples.length) {
        const probe = samples[next++] as Probe;
        byLabel.set(probe.label, (byLabel.get(probe.label) ?? 0) + 1);
        const { status, body } = await send(base, probe);
        statuses.set(String(status), (statuses.get(String(status)) ?? 0) + 1);
        if (typeof status !== "number" || status >= 500)
          failures.push({
            label: probe.label,
            status: String(status),
            body: body.slice(0, 300),
            probe: (probe.body?.toString("utf8") ?? probe.path).slice(0, 300),
          });
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  const health = await send(new URL(server.url.replace(/\/v1$/, "")), { method: "GET", path: "/healthz", headers: {}, label: "health" });
  const answer = await send(base, {
    method: "POST",
    path: "/v1/completions",
    headers: { "content-type": "application/json" },
    body: Buffer.from(JSON.stringify(valid["/v1/completions"])),
    label: "after",
  });
  console.log(`mull serve fuzz: ${samples.length} requests (seed ${seed}, concurrency ${concurrency}) in ${seconds.toFixed(1)} s`);
  console.log(`by kind: ${[...byLabel].map(([label, count]) => `${label} ${count}`).join(", ")}`);
  console.log(
    `by status: ${[...statuses]
      .sort()
      .map(([status, count]) => `${status}: ${count}`)
      .join(", ")}`,
  );
  console.log(`5xx, hangs or connection errors: ${failures.length}; uncaught errors: ${uncaught}`);
  console.log(`afterwards: /healthz ${health.status}, a valid completion ${answer.status}`);
  for (const failure of failures.slice(0, 10)) console.log(JSON.stringify(failure));
  await server.close({ drainMs: 1000 });
  await mull.dispose();
  process.exit(failures.length === 0 && uncaught === 0 && health.status === 200 && answer.status === 200 ? 0 : 1);
}

await main();
