/**
 * Writes the policy's training data and the device-side evaluation sets from mull's own task
 * generators (the one source of truth). Usage: npx tsx training/make-data.ts [--out training/data]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { createRandom } from "../src/internal/seeded-random.js";
import { arithExpression, solveArithInRandomOrder } from "../src/tasks/arith.js";
import { heldOutPrompts, loadSplit, tasks } from "../src/tasks/splits.js";
import type { TaskProblem } from "../src/tasks/task.js";

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

const excluded = heldOutPrompts();

/** Training distribution: wider than the held-out splits so every split is in range. */
function drawProblem(seed: number, kind: "arith" | "countdown"): TaskProblem {
  const random = createRandom(seed ^ 0x5bd1e995);
  if (kind === "arith") {
    const operations = random.integer(1, 10);
    const maxOperand = operations <= 4 && random.next() < 0.1 ? 999 : random.pick([9, 20, 50, 99, 99, 99]);
    const problem = tasks.arith.generate({ seed, operations, maxOperand, parentheses: random.next() < 0.85 });
    // Solutions in a random valid order, with + and * operands swapped half the time: diverse reasoning
    // paths, so that samples disagree where the model is unsure (what voting needs). The canonical order
    // alone, or half the solutions in it, left the policy's errors systematic (models/README.md).
    if (random.next() < randomOrderShare) {
      const { steps, answer } = solveArithInRandomOrder(arithExpression(problem.prompt), random, swapShare);
      return { ...problem, solution: [...steps, `#### ${answer}`].join("\n") };
    }
    return problem;
  }
  // Six numbers are supported by the generator but left out of training: the solver makes them slow to generate.
  const count = random.pick([3, 3, 4, 4, 4, 4, 5, 5, 5]);
  const ranges: Record<number, [number, number, number, number][]> = {
    3: [
      [1, 10, 5, 50],
      [1, 20, 10, 100],
    ],
    4: [
      [1, 20, 10, 100],
      [1, 20, 10, 100],
      [1, 10, 5, 50],
    ],
    5: [
      [1, 25, 50, 200],
      [1, 20, 10, 100],
    ],
    6: [[1, 25, 50, 300]],
  };
  const [minNumber, maxNumber, minTarget, maxTarget] = random.pick(ranges[count] ?? []);
  return tasks.countdown.generate({ seed, count, minNumber, maxNumber, minTarget, maxTarget });
}

function collect(kind: "arith" | "countdown", count: number, seedBase: number): TaskProblem[] {
  const problems: TaskProblem[] = [];
  for (let seed = seedBase; problems.length < count; seed++) {
    const problem = drawProblem(seed, kind);
    if (!excluded.has(problem.prompt)) problems.push(problem);
    if (problems.length % 50_000 === 0) console.log(`${kind}: ${problems.length}`);
  }
  return problems;
}

const started = Date.now();
const train = [...collect("arith", arithCount, 1), ...collect("countdown", countdownCount, 1)];
console.log(`train: ${train.length} problems in ${((Date.now() - started) / 1000).toFixed(1)} s`);
const toLine = (problem: TaskProblem) => JSON.stringify({ t: problem.task, p: problem.prompt, s: problem.solution, a: problem.answer });
writeFileSync(join(outDirectory, "train.jsonl.gz"), gzipSync(train.map(toLine).join("\n")));

// Problems whose policy samples become PRM training data (seeds disjoint from the policy's data).
const prmPool = [...collect("arith", Math.round(prmPoolCount * 0.6), 50_000_000), ...collect("countdown", Math.round(prmPoolCount * 0.4), 50_000_000)];
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
