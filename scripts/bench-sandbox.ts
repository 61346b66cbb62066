/**
 * The sandbox's start and per-run overhead, per language: start = a fresh process until its runtime is loaded
 * and it is ready; overhead = a trivial program run end to end on a warm process (the request, the run, the
 * result), as a caller sees it with the pool kept warm. Runs one at a time, so nothing competes.
 * Usage: npx tsx scripts/bench-sandbox.ts [--runs 30]
 */
import { parseArgs } from "node:util";
import type { SandboxLanguage } from "../src/core/code-sandbox.js";
import { createSandbox } from "../src/sandbox/create-sandbox.js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "30" } } });
const runs = Number(values.runs);
const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? 0;
const code: Record<SandboxLanguage, string> = { python: "print(1 + 1)", javascript: "print(1 + 1)" };

console.log(`| language | isolation | start p50 | start p99 | run overhead p50 | run overhead p99 | runs |`);
console.log(`|---|---|---|---|---|---|---|`);
for (const language of ["javascript", "python"] as const) {
  // Cold: no warm process, so each run waits for a start; the start is that wait minus a warm run's time.
  const cold = createSandbox({ warm: 0, concurrency: 1 });
  const coldTimes: number[] = [];
  for (let index = 0; index < Math.min(runs, 10); index++) {
    const started = performance.now();
    await cold.run({ language, code: code[language] });
    coldTimes.push(performance.now() - started);
  }
  await cold.close();
  // Warm: the pool has a process ready; waiting between runs lets the next one load.
  const warm = createSandbox({ warm: 1, concurrency: 1 });
  await warm.run({ language, code: code[language] });
  const warmTimes: number[] = [];
  for (let index = 0; index < runs; index++) {
    await new Promise((resolve) => setTimeout(resolve, language === "python" ? 4000 : 500));
    const started = performance.now();
    await warm.run({ language, code: code[language] });
    warmTimes.push(performance.now() - started);
  }
  await warm.close();
  const overhead50 = quantile(warmTimes, 0.5);
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  console.log(
    `| ${language} | ${warm.isolation} | ${ms(quantile(coldTimes, 0.5) - overhead50)} | ${ms(quantile(coldTimes, 0.99) - overhead50)} | ${ms(overhead50)} | ${ms(quantile(warmTimes, 0.99))} | ${runs} |`,
  );
}
