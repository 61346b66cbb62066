/**
 * Labels the policy's sampled solutions with mull's exact step labelers and writes PRM training data:
 * one JSON line per sample, `{ x: <PRM input text>, l: [1|0 per step] }`.
 * Usage: npx tsx training/label-samples.ts <samples.jsonl.gz> <out.jsonl.gz>
 */
import { readFileSync, writeFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { tasks } from "../src/tasks/splits.js";
import { splitSteps } from "../src/tasks/task.js";
import { formatPrmInput } from "../src/verifiers/prm-format.js";

const [input, output] = process.argv.slice(2);
if (!input || !output) throw new Error("usage: label-samples.ts <samples.jsonl.gz> <out.jsonl.gz>");
const lines = gunzipSync(readFileSync(input)).toString("utf8").split("\n").filter(Boolean);
const out: string[] = [];
let steps = 0;
let goodSteps = 0;
let correct = 0;
for (const line of lines) {
  const sample = JSON.parse(line) as { t: "arith" | "countdown"; p: string; s: string };
  const task = tasks[sample.t];
  const problem = { task: sample.t, prompt: sample.p, answer: "", solution: "" };
  if (splitSteps(sample.s).length === 0) continue;
  const labels = task.labelSteps({ problem, solution: sample.s });
  const solved = task.check({ problem, solution: sample.s }).correct;
  correct += solved ? 1 : 0;
  steps += labels.length;
  goodSteps += labels.filter(Boolean).length;
  out.push(JSON.stringify({ t: sample.t, x: formatPrmInput({ prompt: sample.p, solution: sample.s }).text, l: labels.map(Number), c: solved ? 1 : 0 }));
}
writeFileSync(output, gzipSync(out.join("\n")));
console.log(`${out.length} samples (${((100 * correct) / out.length).toFixed(1)}% correct), ${steps} steps (${((100 * goodSteps) / steps).toFixed(1)}% good)`);
