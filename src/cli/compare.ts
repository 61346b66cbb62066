import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import { bootstrapMean } from "../internal/statistics.js";
import { resolveModel } from "../registry/models.js";
import { createStrategy } from "../registry/strategies.js";
import { loadSplit, type TaskName, tasks } from "../tasks/splits.js";
import type { Difficulty } from "../tasks/task.js";

/** Runs each strategy over the same held-out problems and prints accuracy (95% bootstrap interval) and tokens. */
export async function runCompare(options: {
  task: string;
  difficulty: string;
  limit: number;
  strategies: string;
  n: number;
  model: string;
  json?: boolean;
}): Promise<void> {
  if (options.task !== "arith" && options.task !== "countdown")
    throw new InvalidArgumentError({ parameter: "--task", value: options.task, message: "must be arith or countdown" });
  if (!["easy", "medium", "hard"].includes(options.difficulty))
    throw new InvalidArgumentError({ parameter: "--difficulty", value: options.difficulty, message: "must be easy, medium or hard" });
  const taskName = options.task as TaskName;
  const problems = loadSplit({ task: taskName, difficulty: options.difficulty as Difficulty, limit: options.limit });
  const strategies = options.strategies.split(",").map((name) => createStrategy({ name: name.trim(), settings: { n: options.n } }));
  const model = resolveModel({ spec: options.model });
  const rows: { strategy: string; accuracy: number; low: number; high: number; tokens: number; calls: number; seconds: number }[] = [];
  try {
    for (const strategy of strategies) {
      const correct: number[] = [];
      let tokens = 0;
      let calls = 0;
      const started = Date.now();
      for (const [index, problem] of problems.entries()) {
        const prompt = model.formatProblem ? problem.prompt : [{ role: "user" as const, content: problem.prompt }];
        const result = await strategy.run({ model, call: { prompt, maxTokens: 200, seed: index } });
        const ok = taskName === "arith" ? result.answer === problem.answer : tasks.countdown.check({ problem, solution: result.text }).correct;
        correct.push(ok ? 1 : 0);
        tokens += result.usage.promptTokens + result.usage.completionTokens;
        calls += result.usage.calls;
        if (!options.json && process.stderr.isTTY) process.stderr.write(`\r${strategy.name}: ${index + 1}/${problems.length}`);
      }
      if (!options.json && process.stderr.isTTY) process.stderr.write("\n");
      const { mean, low, high } = bootstrapMean(correct);
      rows.push({
        strategy: strategy.name,
        accuracy: mean,
        low,
        high,
        tokens: tokens / problems.length,
        calls: calls / problems.length,
        seconds: (Date.now() - started) / 1000,
      });
    }
  } finally {
    await model.dispose?.();
  }
  if (options.json) {
    console.log(JSON.stringify({ task: taskName, difficulty: options.difficulty, problems: problems.length, n: options.n, rows }));
    return;
  }
  console.log(`\n${taskName} ${options.difficulty}, ${problems.length} held-out problems, model ${model.modelId}, n=${options.n}\n`);
  console.log("| strategy | accuracy | 95% interval | tokens/problem | calls/problem | seconds |");
  console.log("|---|---|---|---|---|---|");
  for (const row of rows) {
    console.log(
      `| ${row.strategy} | ${(100 * row.accuracy).toFixed(1)}% | ${(100 * row.low).toFixed(1)}–${(100 * row.high).toFixed(1)}% | ${row.tokens.toFixed(0)} | ${row.calls.toFixed(1)} | ${row.seconds.toFixed(1)} |`,
    );
  }
}
