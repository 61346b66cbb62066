/**
 * What the embedded backend's prefix reuse saves in step-level search: the same seeded beam search
 * over the same countdown problems, once with prefix reuse and once evaluating every prompt whole.
 * Prints prompt tokens evaluated vs reused, wall time of both in this one run, their ratio, and whether
 * the two runs chose identical solutions (they must: reuse is exact).
 *
 * Usage: npm run bench:prefix-reuse -- [--limit 20] [--strategy beam-search:n=8]
 */
import { parseArgs } from "node:util";
import { createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { createMull } from "../src/runtime/create-mull.js";
import { loadSplit } from "../src/tasks/splits.js";

const { values } = parseArgs({ options: { limit: { type: "string", default: "20" }, strategy: { type: "string", default: "beam-search:n=8" } } });
const problems = loadSplit({ task: "countdown", difficulty: "medium", limit: Number(values.limit) });
const mull = createMull();
const strategy = mull.strategy(values.strategy);

async function measure(reusePrefix: boolean) {
  const policy = createLlamaCppModel({ reusePrefix });
  await policy.load();
  const started = Date.now();
  let prompt = 0;
  let cached = 0;
  let generated = 0;
  const texts: string[] = [];
  for (const [index, problem] of problems.entries()) {
    const result = await strategy.run({ model: policy, call: { prompt: problem.prompt, seed: index, maxTokens: 200 } });
    prompt += result.usage.promptTokens;
    cached += result.usage.cachedPromptTokens ?? 0;
    generated += result.usage.completionTokens;
    texts.push(result.text);
  }
  const wallMs = Date.now() - started;
  await policy.dispose();
  return { prompt, cached, generated, wallMs, texts };
}

const without = await measure(false);
const withReuse = await measure(true);
const identical = withReuse.texts.every((text, index) => text === without.texts[index]);
console.log(`${values.strategy} on ${problems.length} countdown problems`);
console.log(
  `prompt tokens: ${withReuse.prompt}, reused ${withReuse.cached} (${((100 * withReuse.cached) / withReuse.prompt).toFixed(1)}%), evaluated ${withReuse.prompt - withReuse.cached} instead of ${without.prompt}`,
);
console.log(`generated tokens: ${withReuse.generated} (without reuse: ${without.generated})`);
console.log(`wall time: ${withReuse.wallMs} ms with reuse, ${without.wallMs} ms without; ratio without/with ${(without.wallMs / withReuse.wallMs).toFixed(2)}`);
console.log(`identical chosen solutions: ${identical ? "yes" : "NO"}`);
await mull.dispose();
