/**
 * Measures the bundled models' calibration table on the held-out splits (models/README.md).
 * Usage: npm run calibrate -- [--limit 300] [--temperature 0.7] [--out calibration.json]
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { BUNDLED_PRM_MODEL, createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { areaUnderRoc, bootstrapMean } from "../src/internal/statistics.js";
import { loadSplit, tasks } from "../src/tasks/splits.js";
import { extractFinalAnswer, type TaskProblem } from "../src/tasks/task.js";
import { createProcessRewardModel } from "../src/verifiers/process-reward-model.js";

const { values } = parseArgs({
  options: {
    limit: { type: "string", default: "300" },
    temperature: { type: "string", default: "0.7" },
    out: { type: "string" },
    sequences: { type: "string", default: "4" },
  },
});
const limit = Number(values.limit);
const temperature = Number(values.temperature);
const policy = createLlamaCppModel({ sequences: Number(values.sequences) });
const prmModel = createLlamaCppModel({ modelPath: BUNDLED_PRM_MODEL, sequences: 2 });
const prm = createProcessRewardModel({ model: prmModel, aggregation: "last" });
const started = Date.now();
const log = (message: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0)}s] ${message}\n`);

const solved = (problem: TaskProblem, text: string): boolean =>
  problem.task === "arith" ? extractFinalAnswer(text) === problem.answer : tasks.countdown.check({ problem, solution: text }).correct;

async function sample(problem: TaskProblem, n: number, seed: number) {
  const result = await policy.doGenerate({
    prompt: problem.prompt,
    n,
    temperature: n === 1 && seed < 0 ? 0 : temperature,
    seed: Math.max(seed, 0),
    maxTokens: 200,
  });
  return result.completions.map((completion) => completion.text);
}

function majority(answers: (string | undefined)[]): string | undefined {
  const counts = new Map<string, number>();
  for (const answer of answers) if (answer !== undefined) counts.set(answer, (counts.get(answer) ?? 0) + 1);
  let best: string | undefined;
  for (const [answer, count] of counts) if (best === undefined || count > (counts.get(best) ?? 0)) best = answer;
  return best;
}

const rows: Record<string, unknown>[] = [];
const heldOutSamples: { problem: TaskProblem; text: string }[] = [];
const report = (name: string, values: number[], target: string) => {
  const { mean, low, high } = bootstrapMean(values);
  rows.push({ row: name, value: mean, low, high, problems: values.length, target });
  log(`${name}: ${(100 * mean).toFixed(1)}% [${(100 * low).toFixed(1)}, ${(100 * high).toFixed(1)}] (${target})`);
};

{
  const problems = loadSplit({ task: "arith", difficulty: "easy", limit });
  const greedy: number[] = [];
  for (const problem of problems) greedy.push(solved(problem, (await sample(problem, 1, -1))[0] ?? "") ? 1 : 0);
  report("arith easy greedy", greedy, ">= 90%");
}
{
  const problems = loadSplit({ task: "arith", difficulty: "hard", limit });
  const greedy: number[] = [];
  const vote: number[] = [];
  const pass: number[] = [];
  for (const [index, problem] of problems.entries()) {
    greedy.push(solved(problem, (await sample(problem, 1, -1))[0] ?? "") ? 1 : 0);
    const texts = await sample(problem, 16, 1000 + index);
    vote.push(majority(texts.map(extractFinalAnswer)) === problem.answer ? 1 : 0);
    pass.push(texts.some((text) => solved(problem, text)) ? 1 : 0);
    for (const text of texts.slice(0, 4)) heldOutSamples.push({ problem, text });
  }
  report("arith hard greedy", greedy, "20% to 70%");
  report("arith hard majority@16", vote, ">= greedy + 10 points");
  report("arith hard pass@16", pass, ">= 80%");
}
{
  const problems = loadSplit({ task: "countdown", difficulty: "medium", limit });
  const greedy: number[] = [];
  const pass: number[] = [];
  for (const [index, problem] of problems.entries()) {
    greedy.push(solved(problem, (await sample(problem, 1, -1))[0] ?? "") ? 1 : 0);
    const texts = await sample(problem, 32, 2000 + index);
    pass.push(texts.some((text) => solved(problem, text)) ? 1 : 0);
    for (const text of texts.slice(0, 4)) heldOutSamples.push({ problem, text });
  }
  report("countdown greedy", greedy, "5% to 60%");
  report("countdown pass@32", pass, ">= 60%");
}
{
  const stepScores: number[] = [];
  const stepLabels: boolean[] = [];
  const solutionScores: number[] = [];
  const solutionLabels: boolean[] = [];
  for (const { problem, text } of heldOutSamples) {
    const task = problem.task === "arith" ? tasks.arith : tasks.countdown;
    const labels = task.labelSteps({ problem, solution: text });
    if (labels.length === 0) continue;
    const { stepScores: scores = [] } = await prm.score({ prompt: problem.prompt, solution: text });
    stepScores.push(...scores);
    stepLabels.push(...labels);
    solutionScores.push(scores.at(-1) ?? 0);
    solutionLabels.push(task.check({ problem, solution: text }).correct);
  }
  const stepAuc = areaUnderRoc(stepScores, stepLabels);
  const solutionAuc = areaUnderRoc(solutionScores, solutionLabels);
  rows.push({ row: "PRM step AUROC", value: stepAuc, problems: stepLabels.length, target: ">= 0.85" });
  rows.push({ row: "PRM solution AUROC", value: solutionAuc, problems: solutionLabels.length, target: ">= 0.85" });
  log(`PRM AUROC: steps ${stepAuc.toFixed(3)} (${stepLabels.length} steps), solutions ${solutionAuc.toFixed(3)} (${solutionLabels.length} samples)`);
}
const table = [
  `| row | measured | 95% interval | n | target |`,
  `|---|---|---|---|---|`,
  ...rows.map((row) =>
    typeof row.low === "number"
      ? `| ${row.row} | ${(100 * (row.value as number)).toFixed(1)}% | ${(100 * row.low).toFixed(1)}–${(100 * (row.high as number)).toFixed(1)}% | ${row.problems} | ${row.target} |`
      : `| ${row.row} | ${(row.value as number).toFixed(3)} | | ${row.problems} | ${row.target} |`,
  ),
].join("\n");
console.log(
  `Calibration at temperature ${temperature}, ${limit} problems a row, ${((Date.now() - started) / 60000).toFixed(1)} min on this machine:\n\n${table}`,
);
if (values.out) writeFileSync(values.out, JSON.stringify({ temperature, limit, rows }, null, 2));
await policy.dispose();
await prmModel.dispose();
