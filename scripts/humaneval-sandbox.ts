/**
 * HumanEval in the sandbox: every canonical solution must pass, and a deliberately broken version of each
 * (its body replaced by `return None`) must fail. Prints the counts, any exception, and per-run times.
 * Usage: npx tsx scripts/humaneval-sandbox.ts [--file ../shared/datasets/humaneval.jsonl.gz] [--limit N]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";
import { createSandbox } from "../src/sandbox/create-sandbox.js";
import { type HumanEvalProblem, humanEvalProgram } from "../src/tasks/humaneval-program.js";

const { values } = parseArgs({ options: { file: { type: "string", default: "../shared/datasets/humaneval.jsonl.gz" }, limit: { type: "string" } } });
const problems = gunzipSync(readFileSync(values.file))
  .toString("utf8")
  .split("\n")
  .filter(Boolean)
  .map((line) => JSON.parse(line) as HumanEvalProblem)
  .slice(0, values.limit ? Number(values.limit) : undefined);
const sandbox = createSandbox({ warm: 2, timeoutMs: 20_000 });
const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? 0;
const outcomes = await Promise.all(
  problems.flatMap((problem) =>
    (["canonical", "broken"] as const).map(async (version) => {
      const completion = version === "canonical" ? problem.canonical_solution : "    return None\n";
      const result = await sandbox.run({
        language: "python",
        code: humanEvalProgram({ prompt: problem.prompt, test: problem.test, entryPoint: problem.entry_point, completion }),
      });
      return { task: problem.task_id, version, passed: result.exitReason === "ok", result };
    }),
  ),
);
await sandbox.close();
const canonical = outcomes.filter((outcome) => outcome.version === "canonical");
const broken = outcomes.filter((outcome) => outcome.version === "broken");
console.log(`canonical solutions passing: ${canonical.filter((outcome) => outcome.passed).length}/${canonical.length}`);
console.log(`broken versions failing: ${broken.filter((outcome) => !outcome.passed).length}/${broken.length}`);
for (const outcome of outcomes.filter((item) => (item.version === "canonical") !== item.passed))
  console.log(`  exception: ${outcome.task} ${outcome.version}: ${outcome.result.exitReason} ${outcome.result.error ?? ""}`);
const durations = outcomes.map((outcome) => outcome.result.durationMs);
console.log(
  `run time in the sandbox (ms): p50 ${quantile(durations, 0.5).toFixed(0)}, p99 ${quantile(durations, 0.99).toFixed(0)}, over ${durations.length} runs`,
);
