/**
 * Records real responses of llama.cpp's server (built by scripts/build-llama-server.sh) on the bundled
 * policy, for the backend's replay tests (test/recorded-fixtures.test.ts): completions and chat, plain and
 * streamed, with log-probabilities, n > 1, and a refused n. Bodies are stored exactly as the server sent them.
 * Usage: npx tsx scripts/record-fixtures.ts  (writes test/fixtures/recorded/llama-server-<release>.json)
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { BUNDLED_POLICY_MODEL } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { llamaServerPath, startLlamaServer } from "../test/helpers/llama-server.js";

const binary = llamaServerPath();
if (!binary) throw new Error("llama-server is not built: run scripts/build-llama-server.sh");
const release = (JSON.parse(readFileSync("node_modules/node-llama-cpp/llama/llama.cpp.info.json", "utf8")) as { tag: string }).tag;
const prompt = "Q: 17*(3-9)+5\nA: ";
const requests: { name: string; path: string; body: Record<string, unknown> }[] = [
  { name: "completion", path: "/completions", body: { prompt, max_tokens: 48, temperature: 0 } },
  { name: "completion-logprobs-n2", path: "/completions", body: { prompt, max_tokens: 48, temperature: 1, seed: 3, n: 2, logprobs: 2 } },
  { name: "completion-stop", path: "/completions", body: { prompt, max_tokens: 48, temperature: 0, stop: ["\n"] } },
  { name: "completion-stream", path: "/completions", body: { prompt, max_tokens: 48, temperature: 0, stream: true, stream_options: { include_usage: true } } },
  { name: "completion-n-too-large", path: "/completions", body: { prompt, max_tokens: 8, n: 5 } },
  {
    name: "chat-logprobs",
    path: "/chat/completions",
    body: { messages: [{ role: "user", content: "17*(3-9)+5" }], max_tokens: 24, temperature: 0, logprobs: true, top_logprobs: 2 },
  },
  {
    name: "chat-stream",
    path: "/chat/completions",
    body: { messages: [{ role: "user", content: "17*(3-9)+5" }], max_tokens: 24, temperature: 0, stream: true },
  },
];
const server = await startLlamaServer({ binary, model: BUNDLED_POLICY_MODEL, slots: 2 });
try {
  const recorded = [];
  for (const request of requests) {
    const response = await fetch(`${server.url}${request.path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "mull-tiny-policy", ...request.body }),
    });
    recorded.push({ ...request, status: response.status, contentType: response.headers.get("content-type"), response: await response.text() });
  }
  mkdirSync("test/fixtures/recorded", { recursive: true });
  const file = `test/fixtures/recorded/llama-server-${release}.json`;
  writeFileSync(
    file,
    `${JSON.stringify({ server: `llama.cpp llama-server ${release}`, model: "models/mull-tiny-policy.gguf", slots: 2, recorded }, null, 2)}\n`,
  );
  console.log(`wrote ${file}: ${recorded.length} exchanges`);
} finally {
  await server.stop();
}
