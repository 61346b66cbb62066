import type { Command } from "commander";
import { compareStrategies } from "../bench/run-bench.js";
import { RunStore } from "../bench/run-store.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import { splitSpecList } from "../extension/spec.js";
import { defaults } from "../runtime/create-mull.js";
import { type BenchFlags, benchGrid } from "./bench-command.js";
import type { CliContext } from "./cli-context.js";
import { integerOption } from "./parse-flags.js";

type PairedDifference = { items: number; difference: number; low: number; high: number };

const signed = (value: number) => `${value > 0 ? "+" : ""}${value.toFixed(1)}`;

type CompareFlags = { task: string; difficulty: string; limit: number; strategies: string; model: string; verifier?: string; json?: boolean };

export function addCompareCommand(program: Command, context: () => CliContext): void {
  program
    .command("compare")
    .description("Compare strategies on held-out problems of mull's tasks (a quick mull bench, not stored): accuracy with 95% intervals and tokens")
    .option("--task <name>", "arith or countdown", "arith")
    .option("--difficulty <level>", "easy, medium or hard", "hard")
    .option("--limit <count>", "problems", integerOption("--limit"), 20)
    .option("--strategies <list>", "comma-separated strategy specs", "single,self-consistency:n=8")
    .option("-m, --model <spec>", "model spec", defaults.model)
    .option("--verifier <spec>", `verifier spec for strategies that use one (default ${defaults.verifier})`)
    .option("--json", "print JSON")
    .action((flags: CompareFlags) => compare(flags, context()));
}

/** Runs the same grid `mull bench` runs (same seeds, grading and defaults) in memory, and prints one table. */
async function compare(flags: CompareFlags, context: CliContext): Promise<void> {
  if (flags.task !== "arith" && flags.task !== "countdown")
    throw new InvalidArgumentError({ parameter: "--task", value: flags.task, message: "must be arith or countdown" });
  if (!["easy", "medium", "hard"].includes(flags.difficulty))
    throw new InvalidArgumentError({ parameter: "--difficulty", value: flags.difficulty, message: "must be easy, medium or hard" });
  const config: BenchFlags = {
    dataset: `${flags.task}-${flags.difficulty}`,
    limit: flags.limit,
    strategies: flags.strategies,
    budgets: "none",
    model: flags.model,
    ...(flags.verifier !== undefined ? { verifier: flags.verifier } : {}),
    db: ":memory:",
    concurrency: 1,
  };
  const store = new RunStore(":memory:");
  try {
    const summary = await benchGrid({ store, config, context, json: flags.json === true });
    if (!summary) return;
    const order = splitSpecList(flags.strategies);
    const rows = summary.rows
      .filter((row) => row.difficulty === "all")
      .sort((a, b) => order.indexOf(a.strategy) - order.indexOf(b.strategy))
      .map((row) => ({
        strategy: row.strategy,
        accuracy: row.accuracy,
        low: row.low,
        high: row.high,
        tokens: row.promptTokens + row.completionTokens,
        calls: row.calls,
        seconds: (row.wallMs * row.n) / 1000,
      }));
    const modelId = context.mull.model(flags.model).modelId;
    const baseline = order[0] as string;
    // Each strategy against the first on the same problems: the paired difference is what the table's
    // separate intervals cannot show (they overlap even where one strategy wins on nearly every problem).
    const units = store.units(summary.runId);
    const differences = order.slice(1).map((strategy) => ({ strategy, baseline, ...(compareStrategies(units, strategy, baseline)[0] as PairedDifference) }));
    if (flags.json) {
      context.out(JSON.stringify({ task: flags.task, difficulty: flags.difficulty, problems: summary.rows[0]?.n ?? 0, model: modelId, rows, differences }));
      return;
    }
    context.out(`\n${flags.task} ${flags.difficulty}, ${summary.rows[0]?.n ?? 0} held-out problems, model ${modelId}\n`);
    context.out("| strategy | accuracy | 95% interval | tokens/problem | calls/problem | seconds |");
    context.out("|---|---|---|---|---|---|");
    const percent = (value: number) => (100 * value).toFixed(1);
    for (const row of rows)
      context.out(
        `| ${row.strategy} | ${percent(row.accuracy)}% | ${percent(row.low)}–${percent(row.high)}% | ${row.tokens.toFixed(0)} | ${row.calls.toFixed(1)} | ${row.seconds.toFixed(1)} |`,
      );
    for (const row of differences) {
      const verdict = row.low > 0 ? "better" : row.high < 0 ? "worse" : "no clear difference";
      context.out(
        `\n${row.strategy} − ${baseline} on the same ${row.items} problems: ${signed(100 * row.difference)} points, 95% interval [${signed(100 * row.low)}, ${signed(100 * row.high)}] (${verdict})`,
      );
    }
  } finally {
    store.close();
  }
}
