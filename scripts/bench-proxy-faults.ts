/**
 * Faults through the proxy. (1) An upstream that fails 20% of calls (a 503, a reset connection, no answer
 * at all, or a stream that stalls after its first token): every request through `mull serve` must
 * complete, or fail cleanly (an OpenAI-shaped error, or an error event that ends the stream), within its
 * budget of time; none may hang. (2) A client that disconnects mid-stream: how long until the upstream
 * call is cancelled.
 *
 *   npm run build && npx tsx scripts/bench-proxy-faults.ts [--requests 400] [--trials 50]
 */
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { numberFlag, startPrinting, startProxy } from "./proxy-bench-helpers.js";

const total = numberFlag("requests", 400);
const trials = numberFlag("trials", 50);
const timeoutMs = 2000;
const maxRetries = 2;
// Three attempts of at most timeoutMs each, the waits between them, and a margin for a loaded machine.
const deadlineMs = (maxRetries + 1) * timeoutMs + 4000 + 3000;
/** The proxy's model: the upstream with the timeout and retries above. */
const proxySpec = (upstream: string) => `${upstream}#fast?timeoutMs=${timeoutMs}&maxRetries=${maxRetries}&maxConcurrency=256`;

type Outcome = "completed" | "clean error" | "hang" | "broken";

/** One request; a stream completes with `[DONE]` and no error event, and fails cleanly with an error event. */
function call(url: string, stream: boolean): Promise<{ outcome: Outcome; ms: number; status: number }> {
  const target = new URL(`${url}/chat/completions`);
  const body = JSON.stringify({ model: "fast", messages: [{ role: "user", content: "hi" }], max_tokens: 16, stream });
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: Outcome, status: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ outcome, ms: performance.now() - started, status });
    };
    const request = httpRequest(
      { agent: false, host: target.hostname, port: target.port, path: target.pathname, method: "POST", headers: { "content-type": "application/json" } },
      (response) => {
        let text = "";
        response.on("data", (data: Buffer) => (text += data.toString()));
        response.on("end", () => {
          const status = response.statusCode ?? 0;
          if (status !== 200) return settle(/"error"/.test(text) ? "clean error" : "broken", status);
          if (!stream) return settle(/"choices"/.test(text) ? "completed" : "broken", status);
          if (!text.includes("data: [DONE]")) return settle("broken", status);
          settle(text.includes('"error"') ? "clean error" : "completed", status);
        });
        response.on("error", () => settle("broken", response.statusCode ?? 0));
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      settle("hang", 0);
    }, deadlineMs);
    request.on("error", () => settle("broken", 0));
    request.end(body);
  });
}

async function faults() {
  const upstream = await startPrinting(process.execPath, ["scripts/fast-upstream.mjs", "--fail", "0.2"]);
  const proxy = await startProxy(proxySpec(upstream.url));
  const results: { outcome: Outcome; ms: number; status: number; stream: boolean }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < total) {
        const stream = next++ % 2 === 0;
        results.push({ ...(await call(proxy.url, stream)), stream });
      }
    }),
  );
  proxy.child.kill("SIGTERM");
  upstream.child.kill("SIGTERM");
  console.log(
    `faults: ${total} requests (half streamed) through mull serve to an upstream failing 20% of calls; timeout ${timeoutMs} ms, ${maxRetries} retries, deadline ${deadlineMs} ms`,
  );
  console.log("| kind | completed | clean error | hang | broken | slowest ms |");
  console.log("|---|---|---|---|---|---|");
  for (const stream of [false, true]) {
    const rows = results.filter((result) => result.stream === stream);
    const count = (outcome: Outcome) => rows.filter((result) => result.outcome === outcome).length;
    const slowest = Math.max(...rows.map((result) => result.ms));
    console.log(
      `| ${stream ? "streamed" : "whole"} | ${count("completed")} | ${count("clean error")} | ${count("hang")} | ${count("broken")} | ${slowest.toFixed(0)} |`,
    );
  }
  const statuses = new Map<number, number>();
  for (const result of results) statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
  console.log(`statuses: ${[...statuses].map(([status, count]) => `${status}: ${count}`).join(", ")}`);
}

/** A paced upstream that records when each call's connection closes, and the client that leaves mid-stream. */
async function disconnects() {
  const closedAt: number[] = [];
  const upstream = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      const timer = setInterval(
        () => response.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: "w " }, finish_reason: null }] })}\n\n`),
        20,
      );
      response.on("close", () => {
        clearInterval(timer);
        closedAt.push(performance.now());
      });
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
  const proxy = await startProxy(proxySpec(upstreamUrl));
  const target = new URL(`${proxy.url}/chat/completions`);
  const latencies: number[] = [];
  for (let trial = 0; trial < trials; trial++) {
    closedAt.length = 0;
    const leftAt = await new Promise<number>((resolve) => {
      const request = httpRequest(
        { agent: false, host: target.hostname, port: target.port, path: target.pathname, method: "POST", headers: { "content-type": "application/json" } },
        (response) => {
          let chunks = 0;
          response.on("data", () => {
            if (++chunks === 3) {
              const at = performance.now();
              request.destroy();
              resolve(at);
            }
          });
        },
      );
      request.on("error", () => {});
      request.end(JSON.stringify({ model: "fast", messages: [{ role: "user", content: "hi" }], stream: true }));
    });
    for (let wait = 0; wait < 200 && closedAt.length === 0; wait++) await new Promise((resolve) => setTimeout(resolve, 5));
    latencies.push(closedAt.length > 0 ? (closedAt[0] as number) - leftAt : Number.POSITIVE_INFINITY);
  }
  proxy.child.kill("SIGTERM");
  upstream.close();
  upstream.closeAllConnections();
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(
    `disconnects: ${trials} clients left mid-stream; the upstream call was cancelled after p50 ${sorted[Math.floor(trials / 2)]?.toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms (not at all within 1 s: ${latencies.filter((value) => !Number.isFinite(value)).length})`,
  );
}

await faults();
await disconnects();
