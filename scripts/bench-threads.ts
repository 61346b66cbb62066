/**
 * Measures the embedded backend's generation speed for thread counts and parallel sequences, to choose
 * the defaults (threads matter a lot on 2 cores). Usage: npm run bench:threads
 */
import { createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { loadSplit } from "../src/tasks/splits.js";

const problems = loadSplit({ task: "arith", difficulty: "hard", limit: 4 });
console.log("| threads | sequences | tokens/s |");
console.log("|---|---|---|");
for (const [threads, sequences] of [
  [1, 1],
  [2, 1],
  [1, 2],
  [1, 4],
  [2, 4],
  [1, 8],
] as const) {
  const model = createLlamaCppModel({ threads, sequences });
  await model.load();
  const started = Date.now();
  let tokens = 0;
  for (const [index, problem] of problems.entries()) {
    const result = await model.doGenerate({ prompt: problem.prompt, n: 8, temperature: 0.7, seed: index, maxTokens: 200 });
    tokens += result.usage.completionTokens;
  }
  console.log(`| ${threads} | ${sequences} | ${(tokens / ((Date.now() - started) / 1000)).toFixed(0)} |`);
  await model.dispose();
}
