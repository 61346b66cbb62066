/**
 * Writes the policy's training data and the device-side evaluation sets from mull's own task
 * generators (the one source of truth). Usage: npx tsx training/make-data.ts [--out training/data]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { loadSplit } from "../src/tasks/splits.js";
import type { TaskProblem } from "../src/tasks/task.js";
import { collectProblems } from "./training-problems.js";

const outIndex = process.argv.indexOf("--out");
const outDirectory = outIndex > 0 ? (process.argv[outIndex + 1] ?? "training/data") : "training/data";
const arithCount = Number(process.env.MULL_ARITH_COUNT ?? 300_000);
const countdownCount = Number(process.env.MULL_COUNTDOWN_COUNT ?? 150_000);
const prmPoolCount = Number(process.env.MULL_PRM_POOL_COUNT ?? 25_000);
/** Share of arith solutions written in a random valid order instead of the canonical one. */
const randomOrderShare = Number(process.env.MULL_RANDOM_ORDER_SHARE ?? 1);
/** Share of + and * steps of those random-order solutions written with their operands swapped. */
const swapShare = Number(process.env.MULL_SWAP_SHARE ?? 0.5);
mkdirSync(outDirectory, { recursive: true });

const started = Date.now();
const train = [
  ...collectProblems({ kind: "arith", count: arithCount, seedBase: 1, randomOrderShare, swapShare }),
  ...collectProblems({ kind: "countdown", count: countdownCount, seedBase: 1, randomOrderShare, swapShare }),
];
console.log(`train: ${train.length} problems in ${((Date.now() - started) / 1000).toFixed(1)} s`);
const toLine = (problem: TaskProblem) => JSON.stringify({ t: problem.task, p: problem.prompt, s: problem.solution, a: problem.answer });
writeFileSync(join(outDirectory, "train.jsonl.gz"), gzipSync(train.map(toLine).join("\n")));

// Problems whose policy samples become PRM training data (seeds disjoint from the policy's data).
const prmPool = [
  ...collectProblems({ kind: "arith", count: Math.round(prmPoolCount * 0.6), seedBase: 50_000_000, randomOrderShare, swapShare }),
  ...collectProblems({ kind: "countdown", count: Math.round(prmPoolCount * 0.4), seedBase: 50_000_000, randomOrderShare, swapShare }),
];
writeFileSync(join(outDirectory, "prm-pool.jsonl.gz"), gzipSync(prmPool.map(toLine).join("\n")));

// Held-out evaluation sets for monitoring on the GPU machine (the calibration command is authoritative).
const evaluation = [
  ...loadSplit({ task: "arith", difficulty: "easy", limit: 300 }),
  ...loadSplit({ task: "arith", difficulty: "hard", limit: 300 }),
  ...loadSplit({ task: "countdown", difficulty: "medium", limit: 300 }),
];
writeFileSync(
  join(outDirectory, "eval.jsonl"),
  evaluation.map((problem) => JSON.stringify({ t: problem.task, d: problem.difficulty, p: problem.prompt, s: problem.solution, a: problem.answer })).join("\n"),
);
console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
