/**
 * Extra PRM training data for arith: solutions in the policy's style with one slip, labeled by mull's exact step
 * labeler. A third of the policy's wrong arith-hard samples hold an arithmetically false step (`a op b = c` with
 * c wrong) and then go on consistently from the wrong value; the policy's own samples show too few such slips
 * for the PRM to judge arith solutions well (held-out solution AUROC 0.84). Half the solutions here are right
 * (a random valid order), half have one slip: a result off by a small amount, a digit changed or a sign lost,
 * at a random step, with every later step recomputed from the wrong value and the final answer following it.
 * Usage: npx tsx training/make-prm-arith-slips.ts [count=150000] [out=training/data/prm-arith-slips.jsonl.gz]
 */
import { writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { createRandom } from "../src/internal/seeded-random.js";
import { tasks } from "../src/tasks/splits.js";
import { formatPrmInput } from "../src/verifiers/prm-format.js";
import { collectProblems } from "./training-problems.js";

const count = Number(process.argv[2] ?? 150_000);
const output = process.argv[3] ?? "training/data/prm-arith-slips.jsonl.gz";
const random = createRandom(0x511b5);
// Seeds apart from the policy's data (1...), the PRM pool (50M) and the countdown trajectories (70M).
const problems = collectProblems({ kind: "arith", count, seedBase: 80_000_000, randomOrderShare: 1, swapShare: 0.5 });

const stepPattern = /^(-?\d+)([+\-*])(-?\d+)=(-?\d+)$/;
const apply = (a: number, operator: string, b: number) => (operator === "+" ? a + b : operator === "-" ? a - b : a * b);

/** A wrong result near the right one, as the policy's slips are. */
function slip(value: number): number {
  const kind = random.integer(0, 2);
  if (kind === 0) return value + (random.next() < 0.5 ? -1 : 1) * random.integer(1, 10);
  if (kind === 1 && value !== 0) return -value;
  const digits = String(Math.abs(value)).split("");
  const at = random.integer(0, digits.length - 1);
  digits[at] = String((Number(digits[at]) + random.integer(1, 9)) % 10);
  const changed = Number(digits.join("")) * Math.sign(value || 1);
  return changed === value ? value + 1 : changed;
}

/** The solution with a slip at one step; later steps use the wrong value wherever they used the right one. */
function withSlip(lines: string[]): string[] | undefined {
  const steps = lines.slice(0, -1);
  const candidates = steps.map((line, index) => (stepPattern.test(line) ? index : -1)).filter((index) => index >= 0);
  if (candidates.length === 0) return undefined;
  const at = random.pick(candidates);
  const replaced = new Map<number, number>();
  const out = steps.map((line, index) => {
    const match = stepPattern.exec(line);
    if (!match || index < at) return line;
    const [, a, operator, b, c] = match as unknown as [string, string, string, string, string];
    const left = replaced.get(Number(a)) ?? Number(a);
    const right = replaced.get(Number(b)) ?? Number(b);
    const result = index === at ? slip(Number(c)) : apply(left, operator, right);
    if (result !== Number(c)) replaced.set(Number(c), result);
    return `${left}${operator}${right}=${result}`;
  });
  const last = stepPattern.exec(out.at(-1) ?? "");
  return [...out, `#### ${last ? last[4] : (lines.at(-1) ?? "").replace("#### ", "")}`];
}

const lines: string[] = [];
let correct = 0;
let steps = 0;
let good = 0;
for (const problem of problems) {
  const right = problem.solution.split("\n");
  const solution = random.next() < 0.5 ? right : withSlip(right);
  if (!solution) continue;
  const text = solution.join("\n");
  const labels = tasks.arith.labelSteps({ problem, solution: text });
  const solved = tasks.arith.check({ problem, solution: text }).correct;
  correct += solved ? 1 : 0;
  steps += labels.length;
  good += labels.filter(Boolean).length;
  lines.push(JSON.stringify({ t: "arith", x: formatPrmInput({ prompt: problem.prompt, solution: text }).text, l: labels.map(Number), c: solved ? 1 : 0 }));
}
writeFileSync(output, gzipSync(lines.join("\n")));
console.log(
  `${lines.length} solutions (${((100 * correct) / lines.length).toFixed(1)}% correct), ${steps} steps (${((100 * good) / steps).toFixed(1)}% good) -> ${output}`,
);
