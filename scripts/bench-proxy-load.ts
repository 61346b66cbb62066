/**
 * Load through the proxy: concurrent streaming chat clients against a fast local upstream, once directly
 * and once through `mull serve` (no strategy: the proxy path alone), alternating halves so that drift
 * hits both. Prints p50/p99 latency of each, the proxy's added latency, its throughput as a ratio of
 * going direct, and the proxy's memory over the run. Upstream, proxy and clients are separate processes
 * on this one machine, so they share its cores.
 *
 *   npm run build && npx tsx scripts/bench-proxy-load.ts [--clients 64] [--seconds 60] [--token-ms 0]
 */
import { execFileSync } from "node:child_process";
import { Agent, request as httpRequest } from "node:http";
import { cpus } from "node:os";
import { numberFlag, startPrinting, startProxy } from "./proxy-bench-helpers.js";

const clients = numberFlag("clients", 64);
const seconds = numberFlag("seconds", 60);
// 0: the upstream answers at once (the proxy's own ceiling); more: tokens paced like a model decoding.
const tokenMs = numberFlag("token-ms", 0);

const body = JSON.stringify({ model: "fast", messages: [{ role: "user", content: "Say sixteen words." }], stream: true, max_tokens: 16 });

/** `clients` loops, each sending streaming requests back to back until `until`; returns each request's latency in ms. */
async function drive(url: string, until: number): Promise<{ latencies: number[]; errors: number }> {
  const target = new URL(`${url}/chat/completions`);
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  let errors = 0;
  const once = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const request = httpRequest(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (response) => {
          let bytes = 0;
          response.on("data", (data: Buffer) => (bytes += data.length));
          response.on("end", () => {
            if (response.statusCode === 200 && bytes > 0) latencies.push(performance.now() - started);
            else errors++;
            resolve();
          });
        },
      );
      request.on("error", () => {
        errors++;
        resolve();
      });
      request.end(body);
    });
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < until) await once();
    }),
  );
  agent.destroy();
  return { latencies, errors };
}

const percentile = (values: number[], share: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? Number.NaN;
};
const rssMiB = (pid: number) =>
  Number(
    execFileSync("ps", ["-o", "rss=", "-p", String(pid)])
      .toString()
      .trim(),
  ) / 1024;

async function main() {
  const upstream = await startPrinting(process.execPath, ["scripts/fast-upstream.mjs", "--token-ms", String(tokenMs)]);
  // The proxy's own limit out of the way: the clients decide the concurrency.
  const proxy = await startProxy(`${upstream.url}#fast?maxConcurrency=4096&maxRetries=0`);
  const pid = proxy.child.pid as number;
  const memory: { rss: number; heap: number }[] = [];
  const metricsUrl = `${proxy.url.replace(/\/v1$/, "")}/metrics`;
  const sampler = setInterval(async () => {
    const text = await (await fetch(metricsUrl)).text();
    const heap = Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1]) / 2 ** 20;
    memory.push({ rss: rssMiB(pid), heap });
  }, 1000);
  const results = { direct: { latencies: [] as number[], errors: 0, seconds: 0 }, proxy: { latencies: [] as number[], errors: 0, seconds: 0 } };
  // Warm both paths, then alternate halves.
  await drive(upstream.url, Date.now() + 2000);
  await drive(proxy.url, Date.now() + 2000);
  for (const [name, url] of [
    ["direct", upstream.url],
    ["proxy", proxy.url],
    ["direct", upstream.url],
    ["proxy", proxy.url],
  ] as const) {
    const begin = Date.now();
    const run = await drive(url, begin + (seconds * 1000) / 2);
    for (const latency of run.latencies) results[name].latencies.push(latency);
    results[name].errors += run.errors;
    results[name].seconds += (Date.now() - begin) / 1000;
  }
  clearInterval(sampler);
  const line = (name: "direct" | "proxy") => {
    const { latencies, errors, seconds: elapsed } = results[name];
    return {
      name,
      requests: latencies.length,
      errors,
      perSecond: latencies.length / elapsed,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
    };
  };
  const direct = line("direct");
  const viaProxy = line("proxy");
  const proxyMemory = memory.filter((_, index) => index > 2);
  // The heap's low points (just after a collection) show what is kept; the peaks are garbage not yet collected.
  const firstTen = proxyMemory.slice(0, 10);
  const lastTen = proxyMemory.slice(-10);
  const lowest = (samples: typeof memory, key: "rss" | "heap") => Math.min(...samples.map((sample) => sample[key]));
  console.log(
    `proxy load: ${clients} streaming clients, 16 tokens per answer ${tokenMs > 0 ? `${tokenMs} ms apart` : "at once"}, ${seconds} s per path (halves alternated), ${cpus().length} cores shared by clients, upstream and proxy`,
  );
  console.log("| path | requests | errors | requests/s | p50 ms | p99 ms |");
  console.log("|---|---|---|---|---|---|");
  for (const row of [direct, viaProxy])
    console.log(`| ${row.name} | ${row.requests} | ${row.errors} | ${row.perSecond.toFixed(0)} | ${row.p50.toFixed(2)} | ${row.p99.toFixed(2)} |`);
  console.log(`added latency: p50 ${(viaProxy.p50 - direct.p50).toFixed(2)} ms, p99 ${(viaProxy.p99 - direct.p99).toFixed(2)} ms`);
  console.log(`throughput ratio (proxy / direct): ${(viaProxy.perSecond / direct.perSecond).toFixed(3)}`);
  console.log(
    `proxy memory, lowest of the first 10 s -> lowest of the last 10 s: heap used ${lowest(firstTen, "heap").toFixed(1)} -> ${lowest(lastTen, "heap").toFixed(1)} MiB, resident ${lowest(firstTen, "rss").toFixed(1)} -> ${lowest(lastTen, "rss").toFixed(1)} MiB (resident max ${Math.max(...proxyMemory.map((sample) => sample.rss)).toFixed(1)} MiB)`,
  );
  proxy.child.kill("SIGTERM");
  upstream.child.kill("SIGTERM");
}

await main();
