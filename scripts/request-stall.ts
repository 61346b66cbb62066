/**
 * Looks for the request stall seen once with Node's fetch against llama.cpp's server (2 of 9 back-to-back
 * batches of 16 requests arriving about 3 s late, not with node:http): times batches of concurrent
 * completions through fetch and through node:http against a llama-server on the bundled policy.
 * Needs `scripts/build-llama-server.sh` first. Usage: npx tsx scripts/request-stall.ts [--batches 12]
 */
import { request } from "node:http";
import { parseArgs } from "node:util";
import { BUNDLED_POLICY_MODEL } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { llamaServerPath, startLlamaServer } from "../test/helpers/llama-server.js";

const { values } = parseArgs({ options: { batches: { type: "string", default: "12" } } });
const binary = llamaServerPath();
if (!binary) throw new Error("llama-server is not built: run scripts/build-llama-server.sh");
const server = await startLlamaServer({ binary, model: BUNDLED_POLICY_MODEL, slots: 4 });
const body = JSON.stringify({ model: "m", prompt: "Q: 17*(3-9)+5\nA: ", max_tokens: 128, temperature: 0 });
const viaFetch = () =>
  fetch(`${server.url}/completions`, { method: "POST", headers: { "content-type": "application/json" }, body }).then((response) => response.json());
const viaHttp = () =>
  new Promise((resolve, reject) => {
    const sent = request(`${server.url}/completions`, { method: "POST", headers: { "content-type": "application/json" } }, (response) => {
      let data = "";
      response.on("data", (chunk) => (data += chunk));
      response.on("end", () => resolve(JSON.parse(data)));
    });
    sent.on("error", reject);
    sent.end(body);
  });
try {
  for (const [name, call] of [
    ["fetch", viaFetch],
    ["node:http", viaHttp],
  ] as const) {
    const times: number[] = [];
    for (let batch = 0; batch < Number(values.batches); batch++) {
      const started = performance.now();
      await Promise.all(Array.from({ length: 16 }, () => call()));
      times.push(Math.round(performance.now() - started));
    }
    console.log(`${name.padEnd(9)} ms per batch of 16: ${times.join(" ")} (max ${Math.max(...times)})`);
  }
} finally {
  await server.stop();
}
