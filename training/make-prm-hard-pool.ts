/**
 * A PRM pool of hard arith problems only (6 or more operations; training distribution, seeds apart from every
 * other set, held-out prompts excluded), for more of the policy's own samples where the PRM is weakest.
 * `sample_policy.py --data <dir>` samples it (copy eval.jsonl beside it); label the samples with label-samples.ts.
 * Usage: npx tsx training/make-prm-hard-pool.ts [count=20000] [out=training/data-hard/prm-pool.jsonl.gz]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { gzipSync } from "node:zlib";
import { heldOutPrompts } from "../src/tasks/splits.js";
import { drawProblem } from "./training-problems.js";

const count = Number(process.argv[2] ?? 20_000);
const output = process.argv[3] ?? "training/data-hard/prm-pool.jsonl.gz";
const excluded = heldOutPrompts();
const rows: string[] = [];
for (let seed = 90_000_000; rows.length < count; seed++) {
  const problem = drawProblem(seed, "arith", { randomOrderShare: 1, swapShare: 0.5 });
  // Operators of the expression: + and *, and - where it follows a number or a parenthesis (not a sign).
  const operations = (problem.prompt.split("\n")[0]?.match(/[+*]|(?<=[\d)])-/g) ?? []).length;
  if (operations >= 6 && !excluded.has(problem.prompt))
    rows.push(JSON.stringify({ t: problem.task, p: problem.prompt, s: problem.solution, a: problem.answer }));
}
mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, gzipSync(rows.join("\n")));
console.log(`${rows.length} hard arith problems -> ${output}`);
