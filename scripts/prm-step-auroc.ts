/**
 * How well a PRM tells countdown states that can still reach the target from dead ends, step by step:
 * samples the bundled policy on held-out countdown problems, labels every step with the exact labeler,
 * and prints the AUROC of each PRM's step scores by step number (step-level search prunes on these).
 *
 * Usage: npm run prm:steps -- [--limit 150] [--samples 4] [--prm models/mull-tiny-prm.gguf --prm other.gguf]
 */
import { parseArgs } from "node:util";
import { BUNDLED_PRM_MODEL, createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { areaUnderRoc } from "../src/internal/statistics.js";
import { loadSplit, tasks } from "../src/tasks/splits.js";
import { splitSteps } from "../src/tasks/task.js";
import { createProcessRewardModel } from "../src/verifiers/process-reward-model.js";

const { values } = parseArgs({
  options: {
    limit: { type: "string", default: "150" },
    samples: { type: "string", default: "4" },
    temperature: { type: "string", default: "1" },
    prm: { type: "string", multiple: true },
  },
});
const policy = createLlamaCppModel();
const problems = loadSplit({ task: "countdown", difficulty: "medium", limit: Number(values.limit) });
const samples: { prompt: string; solution: string; labels: boolean[]; finalAt: number }[] = [];
for (const [index, problem] of problems.entries()) {
  const { completions } = await policy.doGenerate({
    prompt: problem.prompt,
    n: Number(values.samples),
    temperature: Number(values.temperature),
    seed: 5_000 + index,
    maxTokens: 200,
  });
  for (const { text } of completions) {
    const steps = splitSteps(text);
    if (steps.length === 0) continue;
    const labels = tasks.countdown.labelSteps({ problem, solution: text });
    samples.push({ prompt: problem.prompt, solution: text, labels, finalAt: steps.findIndex((step) => step.startsWith("####")) });
  }
}
await policy.dispose();
console.log(`${samples.length} samples of ${problems.length} held-out countdown problems at temperature ${values.temperature}\n`);
console.log("| PRM | step 1 | step 2 | step 3 | final line | all steps |");
console.log("|---|---|---|---|---|---|");
for (const path of values.prm ?? [BUNDLED_PRM_MODEL]) {
  const model = createLlamaCppModel({ modelPath: path, sequences: 2 });
  const prm = createProcessRewardModel({ model });
  const groups = new Map<string, { scores: number[]; labels: boolean[] }>();
  const add = (key: string, score: number, label: boolean) => {
    const group = groups.get(key) ?? { scores: [], labels: [] };
    group.scores.push(score);
    group.labels.push(label);
    groups.set(key, group);
  };
  for (const sample of samples) {
    const { stepScores = [] } = await prm.score({ prompt: sample.prompt, solution: sample.solution });
    stepScores.forEach((score, index) => {
      const label = sample.labels[index] ?? false;
      add(index === sample.finalAt ? "final" : `step ${index + 1}`, score, label);
      add("all", score, label);
    });
  }
  await model.dispose();
  const cell = (key: string) => {
    const group = groups.get(key);
    if (!group || group.labels.every(Boolean) || !group.labels.some(Boolean)) return "-";
    return `${areaUnderRoc(group.scores, group.labels).toFixed(3)} (${group.labels.length}, ${Math.round((100 * group.labels.filter(Boolean).length) / group.labels.length)}% good)`;
  };
  console.log(`| ${path} | ${cell("step 1")} | ${cell("step 2")} | ${cell("step 3")} | ${cell("final")} | ${cell("all")} |`);
}
