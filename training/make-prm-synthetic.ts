/**
 * Extra PRM training data for countdown's partial solutions: random trajectories of valid moves on
 * training-distribution problems (seeds disjoint from every other set), labeled by mull's exact step
 * labeler. The policy's own samples teach the PRM its slips; these teach it which states can still reach
 * the target, which the policy's samples show too rarely for early steps (held-out first-step AUROC 0.67).
 * Usage: npx tsx training/make-prm-synthetic.ts [count=300000] [out=training/data/prm-synthetic.jsonl.gz]
 */
import { writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { createRandom } from "../src/internal/seeded-random.js";
import { countdownNextMoves, countdownStep, parseCountdownPrompt } from "../src/tasks/countdown.js";
import { tasks } from "../src/tasks/splits.js";
import { formatPrmInput } from "../src/verifiers/prm-format.js";
import { collectProblems } from "./training-problems.js";

const count = Number(process.argv[2] ?? 300_000);
const output = process.argv[3] ?? "training/data/prm-synthetic.jsonl.gz";
const random = createRandom(0x7e57ab1e);
const problems = collectProblems({ kind: "countdown", count: Math.ceil(count / 2), seedBase: 70_000_000, randomOrderShare: 1, swapShare: 0.5 });

/** A trajectory that keeps the target reachable with probability `guided` per step, else a random valid move. */
function trajectory(numbers: number[], target: number, guided: number): string[] {
  const steps: string[] = [];
  let available = [...numbers];
  while (available.length > 1 && !available.includes(target)) {
    // Each + and * option draws its operand order as it is listed (the shipped PRM's data was drawn this way).
    const options = countdownNextMoves(available, target).map((option) => ({
      ...option,
      line: countdownStep(option.move, (option.move.operator === "+" || option.move.operator === "*") && random.next() < 0.5),
    }));
    const good = options.filter((option) => option.reachable);
    const chosen = random.next() < guided && good.length > 0 ? random.pick(good) : random.pick(options);
    steps.push(chosen.line);
    available = chosen.next;
  }
  // The policy closes with the target whether or not it reached it; sometimes with the last value.
  const last = Number(steps.at(-1)?.split("=")[1] ?? target);
  steps.push(`#### ${available.includes(target) || random.next() < 0.7 ? target : last}`);
  return steps;
}

const lines: string[] = [];
let goodSteps = 0;
let allSteps = 0;
let correct = 0;
for (const problem of problems) {
  const { target, numbers } = parseCountdownPrompt(problem.prompt);
  for (let copy = 0; copy < 2 && lines.length < count; copy++) {
    const solution = trajectory(numbers, target, random.pick([0.3, 0.6, 0.9])).join("\n");
    const labels = tasks.countdown.labelSteps({ problem, solution });
    const solved = tasks.countdown.check({ problem, solution }).correct;
    allSteps += labels.length;
    goodSteps += labels.filter(Boolean).length;
    correct += solved ? 1 : 0;
    lines.push(JSON.stringify({ t: "countdown", x: formatPrmInput({ prompt: problem.prompt, solution }).text, l: labels.map(Number), c: solved ? 1 : 0 }));
  }
}
writeFileSync(output, gzipSync(lines.join("\n")));
console.log(
  `${lines.length} trajectories (${((100 * correct) / lines.length).toFixed(1)}% correct), ${allSteps} steps (${((100 * goodSteps) / allSteps).toFixed(1)}% good) -> ${output}`,
);
