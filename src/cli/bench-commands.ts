import type { Command } from "commander";
import { defaults } from "../runtime/create-mull.js";
import { type BenchFlags, listRunsCommand, reportCommand, runBenchCommand, showRunCommand } from "./bench-command.js";
import type { CliContext } from "./cli-context.js";
import { integerOption } from "./parse-flags.js";

export function addBenchCommands(program: Command, context: () => CliContext): void {
  program
    .command("bench")
    .description("Run a grid of strategies x budgets over a dataset; every unit is stored as it completes, so a killed run resumes")
    .option("--config <file>", "a JSON suite with any of these options, e.g. bench/suites/arith-hard.json")
    .option("--dataset <name|file>", "arith, countdown (with -easy/-medium/-hard), word-easy/-medium/-hard (with -choice), functions, or a JSONL/CSV file")
    .option(
      "--format <format>",
      "gsm8k, math, choice (multiple choice), humaneval (code, graded by its tests in the sandbox), jsonl or csv (default from the file extension; .gz is read unzipped)",
    )
    .option("--prompt-field <name>", "prompt field of a JSONL/CSV file (default question, problem or prompt)")
    .option("--answer-field <name>", "answer field (default answer)")
    .option("--template <text>", "wraps each prompt; {prompt} is replaced")
    .option("--limit <count>", "most items", integerOption("--limit"))
    .option(
      "--few-shot <count>",
      "show the file's first <count> worked solutions before each question (they are then not benchmarked)",
      integerOption("--few-shot", 0),
    )
    .option("--strategies <list>", "comma-separated strategy specs, e.g. single,self-consistency:n=8 (see mull strategies)", "single,self-consistency:n=8")
    .option("--budgets <list>", "comma-separated token budgets, or none", "none")
    .option(
      "--budget-total <tokens>",
      "one generated-token budget for the whole set, shared out by the batch allocator among auto:profile=<file> strategies' questions (default none)",
      integerOption("--budget-total"),
    )
    .option("-m, --model <spec>", "model spec", defaults.model)
    .option("--verifier <spec>", `verifier spec for strategies that use one (default ${defaults.verifier})`)
    .option("--db <path>", "the run store", ".mull/runs.db")
    .option("--resume <run>", "continue a run where it stopped, running its errored units again")
    .option("--skip-errors", "with --resume, keep errored units as they are instead of running them again")
    .option("--concurrency <count>", "units in flight", integerOption("--concurrency"), 1)
    .option("--max-tokens <count>", `most tokens per completion (default ${defaults.maxTokens})`, integerOption("--max-tokens"))
    .option(
      "--max-reasoning-tokens <count>",
      "thinking budget for every call: a reasoning model's <think> is closed after this many tokens (default none)",
      integerOption("--max-reasoning-tokens"),
    )
    .option("--fail-on-malformed", "stop at the first malformed dataset line instead of skipping it")
    .option(
      "--answer-pattern <regex>",
      "the answer is this regex's last match in a completion (its first group where it has one); default: the standard extraction",
    )
    .option("--equations <mode>", "lenient (x = 11 equals 11) or strict (default lenient)")
    .option("--tolerance <number>", "relative tolerance when comparing numbers (default 1e-6)", Number.parseFloat)
    .option(
      "--parameters <count>",
      "model parameters, for the GFLOPs column where units stored no compute (runs before 2026-12-07); give a remote model its size in its spec instead (?parameters=)",
      integerOption("--parameters"),
    )
    .option("--json", "print the summary as JSON")
    .action(async (flags: BenchFlags, command: Command) => {
      const explicit = new Set(Object.keys(flags).filter((key) => command.getOptionValueSource(key) === "cli"));
      await runBenchCommand(flags, context(), explicit);
    });

  const runs = program
    .command("runs")
    .description("List stored benchmark runs")
    .option("--db <path>", "the run store", ".mull/runs.db")
    .option("--json", "print JSON");
  runs.action((flags: { db: string; json?: boolean }) => listRunsCommand(flags, context()));
  runs
    .command("show")
    .description("Summarise one run")
    .argument("<run>", "run id")
    .option("--compare <a,b>", "paired accuracy difference between two strategies of the run, with a 95% interval")
    .action((id: string, _flags: unknown, command: Command) => {
      // --db and --json belong to `runs`, so that they work before or after `show`.
      const options = command.optsWithGlobals() as { db: string; compare?: string; json?: boolean };
      showRunCommand({ ...options, id }, context());
    });

  program
    .command("report")
    .description("Write a self-contained HTML report of a run: accuracy-vs-tokens charts, Pareto table, per-problem drill-down")
    .argument("<run>", "run id")
    .option("-o, --output <file>", "where to write it (default report-<run>.html)")
    .option("--db <path>", "the run store", ".mull/runs.db")
    .action(async (id: string, flags: { output?: string; db: string }) => {
      await reportCommand({ ...flags, id }, context());
    });
}
