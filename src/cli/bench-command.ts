import { readFileSync, writeFileSync } from "node:fs";
import { SingleBar } from "cli-progress";
import { createAnswerGrading } from "../answers/answer-grading.js";
import { parseBenchSuite } from "../bench/bench-suite.js";
import { loadDataset } from "../bench/datasets.js";
import { renderReport } from "../bench/report.js";
import { type BenchProgress, budgetTotalSpecs, compareStrategies, formatSummary, runBench, summarize, validateStrategySpecs } from "../bench/run-bench.js";
import { RunStore } from "../bench/run-store.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import { splitSpecList } from "../extension/spec.js";
import type { CliContext } from "./cli-context.js";

export type BenchFlags = {
  /** A JSON file with any of these flags (a versioned suite); flags given on the command line win. */
  config?: string;
  dataset?: string;
  format?: "gsm8k" | "math" | "choice" | "humaneval" | "jsonl" | "csv";
  promptField?: string;
  answerField?: string;
  template?: string;
  limit?: number;
  strategies: string;
  budgets: string;
  model: string;
  /** A verifier spec for strategies that use one. Defaults to the runtime's (the bundled PRM). */
  verifier?: string;
  db: string;
  resume?: string;
  /** With `resume`: keep errored units instead of retrying them. */
  skipErrors?: boolean;
  concurrency: number;
  maxTokens?: number;
  /** A thinking budget for every call (see `CallOptions.maxReasoningTokens`). */
  maxReasoningTokens?: number;
  failOnMalformed?: boolean;
  /** Answer extraction and comparison (see `AnswerGradingOptions`). */
  answerPattern?: string;
  /** Worked examples from the file's first records, shown before each question. */
  fewShot?: number;
  equations?: "lenient" | "strict";
  tolerance?: number;
  parameters?: number;
  /** One generated-token budget for the whole set, per `auto` strategy with a profile (the batch allocator). */
  budgetTotal?: number;
  json?: boolean;
};

/** Parameter counts of the bundled models, for the GFLOPs of runs stored before units reported their compute. */
const bundledParameters: Record<string, number> = { "mull-tiny-policy": 5_296_384, "mull-tiny-chat": 15_615_360 };

const parametersOf = (config: Record<string, unknown>): number | undefined =>
  typeof config.parameters === "number" ? config.parameters : bundledParameters[String(config.model)];

/** Reads a suite file; flags given on the command line win over it. */
function withSuite(commandLine: BenchFlags, explicit: Set<string>): BenchFlags {
  if (!commandLine.config) return commandLine;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(commandLine.config, "utf8"));
  } catch (error) {
    throw new InvalidArgumentError({
      parameter: "--config",
      value: commandLine.config,
      message: `cannot read ${commandLine.config}: ${(error as Error).message}`,
    });
  }
  const fromFile = parseBenchSuite(raw, commandLine.config);
  const explicitFlags = Object.fromEntries(Object.entries(commandLine).filter(([key]) => explicit.has(key)));
  return { ...commandLine, ...fromFile, ...explicitFlags } as BenchFlags;
}

/** The stored configuration of the run to do: a resumed run's own, or the flags'. */
function runConfig(store: RunStore, flags: BenchFlags): { config: BenchFlags; runId?: string } {
  if (flags.resume) {
    const run = store.getRun(flags.resume);
    if (!run)
      throw new InvalidArgumentError({
        parameter: "--resume",
        value: flags.resume,
        message: `no run ${JSON.stringify(flags.resume)} in ${flags.db}; see mull runs`,
      });
    return { config: run.config as unknown as BenchFlags, runId: run.id };
  }
  if (!flags.dataset) throw new InvalidArgumentError({ parameter: "--dataset", message: "is required (or --resume <run>)" });
  return { config: { ...flags, db: undefined, json: undefined, config: undefined } as unknown as BenchFlags };
}

function parseBudgets(list: string): number[] {
  return list.split(",").map((value) => {
    const budget = value.trim() === "none" ? 0 : Number(value);
    if (!Number.isInteger(budget) || budget < 0)
      throw new InvalidArgumentError({ parameter: "--budgets", value, message: "must be token counts (or none), comma-separated" });
    return budget;
  });
}

/** `mull bench`: a grid of strategies × budgets over a dataset, stored as it goes, resumable. */
export async function runBenchCommand(commandLine: BenchFlags, context: CliContext, explicit: Set<string> = new Set()): Promise<void> {
  const flags = withSuite(commandLine, explicit);
  const store = new RunStore(flags.db);
  try {
    const { config, runId } = runConfig(store, flags);
    const summary = await benchGrid({
      store,
      config,
      context,
      ...(runId ? { runId } : {}),
      json: flags.json === true,
      retryErrors: flags.skipErrors !== true,
    });
    if (!summary) return;
    if (flags.json) context.out(JSON.stringify({ run: summary.runId, dataset: summary.dataset, skippedLines: summary.errors, summary: summary.rows }));
    else context.out(formatSummary(summary.rows));
  } finally {
    store.close();
  }
}

/** The grading flags of a run (stored with it, so that a resumed run grades as it began). */
function answerGradingOf(config: BenchFlags) {
  if (config.equations !== undefined && config.equations !== "lenient" && config.equations !== "strict")
    throw new InvalidArgumentError({ parameter: "--equations", value: config.equations, message: "must be lenient or strict" });
  return {
    ...(config.answerPattern !== undefined ? { pattern: config.answerPattern } : {}),
    ...(config.equations !== undefined ? { equations: config.equations } : {}),
    ...(config.tolerance !== undefined ? { tolerance: config.tolerance } : {}),
  };
}

/** Runs (or resumes) a grid into the store; undefined when interrupted. */
export async function benchGrid(options: { store: RunStore; config: BenchFlags; context: CliContext; runId?: string; json: boolean; retryErrors?: boolean }) {
  const { store, config, context } = options;
  const { mull } = context;
  const dataset = loadDataset({
    dataset: config.dataset as string,
    ...(config.format ? { format: config.format } : {}),
    ...(config.promptField ? { promptField: config.promptField } : {}),
    ...(config.answerField ? { answerField: config.answerField } : {}),
    ...(config.template ? { template: config.template } : {}),
    ...(config.limit !== undefined ? { limit: config.limit } : {}),
    ...(config.fewShot !== undefined ? { fewShot: config.fewShot } : {}),
    onMalformed: config.failOnMalformed ? "fail" : "skip",
  });
  for (const error of dataset.errors) context.err(`skipped ${error.message}\n`);
  const strategies = splitSpecList(config.strategies);
  const budgets = parseBudgets(config.budgets);
  validateStrategySpecs({ mull, strategies, verifier: config.verifier });
  if (config.budgetTotal !== undefined) budgetTotalSpecs({ mull, strategies, budgets });
  const answers = answerGradingOf(config);
  createAnswerGrading(answers);
  // Only a valid grid becomes a stored run, so that bad arguments leave no half-made run behind.
  const runId = options.runId ?? store.createRun(config as unknown as Record<string, unknown>).id;
  // The run id goes to stderr even with --json, so that a script can resume what it started.
  context.err(`run ${runId}: ${dataset.items.length} items × ${strategies.length} strategies × ${budgets.length} budgets\n`);
  const progress = createProgress(context, options.json);
  try {
    await runBench({
      mull,
      store,
      runId,
      model: config.model,
      verifier: config.verifier,
      items: dataset.items,
      strategies,
      budgets,
      concurrency: config.concurrency,
      ...(config.budgetTotal !== undefined ? { budgetTotal: config.budgetTotal } : {}),
      retryErrors: options.retryErrors ?? true,
      answers,
      ...(dataset.examples ? { examples: dataset.examples } : {}),
      ...(config.maxTokens !== undefined ? { maxTokens: config.maxTokens } : {}),
      ...(config.maxReasoningTokens !== undefined ? { maxReasoningTokens: config.maxReasoningTokens } : {}),
      abortSignal: context.signal,
      onProgress: progress.update,
    });
  } finally {
    progress.stop();
  }
  if (context.signal.aborted) {
    context.err(`interrupted; resume with: mull bench --resume ${runId}\n`);
    return undefined;
  }
  store.markDone(runId);
  const errored = store.units(runId).filter((unit) => unit.error !== undefined);
  if (errored.length > 0)
    context.err(
      `${errored.length} units could not run (first: ${errored[0]?.itemId}: ${errored[0]?.error}); they are counted as errors, not as wrong answers\n`,
    );
  const parameters = parametersOf(config as unknown as Record<string, unknown>);
  return { runId, dataset: dataset.name, errors: dataset.errors, rows: summarize(store.units(runId), parameters ? { parameters } : {}) };
}

/** A progress bar on a terminal, else a line every two seconds. */
function createProgress(context: CliContext, quiet: boolean) {
  const bar =
    context.isTTY && !quiet ? new SingleBar({ format: "{bar} {value}/{total} units | {rate} units/s | ETA {eta_formatted}", hideCursor: true }) : undefined;
  const started = Date.now();
  let lastLine = 0;
  return {
    update: ({ done, total, skipped, errors }: BenchProgress) => {
      if (bar) {
        if (done === 1 || !bar.getTotal()) bar.start(total, 0, { rate: "0" });
        bar.update(done, { rate: ((done - skipped) / Math.max(1, (Date.now() - started) / 1000)).toFixed(2) });
      } else if (!quiet && (Date.now() - lastLine > 2000 || done === total)) {
        lastLine = Date.now();
        context.err(`${done}/${total} units (${skipped} resumed${errors > 0 ? `, ${errors} errors` : ""})\n`);
      }
    },
    stop: () => bar?.stop(),
  };
}

export function listRunsCommand(flags: { db: string; json?: boolean }, context: CliContext): void {
  const store = new RunStore(flags.db);
  try {
    const runs = store.listRuns();
    if (flags.json) context.out(JSON.stringify(runs));
    else
      for (const run of runs)
        context.out(
          `${run.id}  ${run.status.padEnd(7)}  ${String(run.units).padStart(5)} units  ${String(run.config.dataset)}  ${String(run.config.strategies)}  budgets ${String(run.config.budgets)}`,
        );
  } finally {
    store.close();
  }
}

export function showRunCommand(flags: { db: string; id: string; compare?: string; json?: boolean }, context: CliContext): void {
  const store = new RunStore(flags.db);
  try {
    const run = store.getRun(flags.id);
    if (!run) throw new InvalidArgumentError({ parameter: "run", value: flags.id, message: `no run ${JSON.stringify(flags.id)} in ${flags.db}` });
    const units = store.units(run.id);
    const rows = summarize(units, { ...(parametersOf(run.config) ? { parameters: parametersOf(run.config) as number } : {}) });
    const [first, second] = (flags.compare ?? "").split(",").map((name) => name.trim());
    const comparison = first && second ? compareStrategies(units, first, second) : undefined;
    if (flags.json) {
      context.out(JSON.stringify({ run, summary: rows, ...(comparison ? { comparison: { first, second, rows: comparison } } : {}) }));
      return;
    }
    context.out(`run ${run.id} (${run.status}), dataset ${String(run.config.dataset)}\n\n${formatSummary(rows)}`);
    for (const row of comparison ?? []) {
      context.out(
        `\n${first} − ${second}, budget ${row.budget || "none"}, ${row.items} paired items: ${(100 * row.difference).toFixed(1)} points [${(100 * row.low).toFixed(1)}, ${(100 * row.high).toFixed(1)}]`,
      );
    }
  } finally {
    store.close();
  }
}

/** `mull report <run>`: a self-contained HTML report. */
export async function reportCommand(flags: { db: string; id: string; output?: string }, context: CliContext): Promise<void> {
  const store = new RunStore(flags.db);
  try {
    const run = store.getRun(flags.id);
    if (!run) throw new InvalidArgumentError({ parameter: "run", value: flags.id, message: `no run ${JSON.stringify(flags.id)} in ${flags.db}` });
    const html = await renderReport({ run, units: store.units(run.id) });
    const output = flags.output ?? `report-${run.id}.html`;
    writeFileSync(output, html);
    context.out(`wrote ${output}`);
  } finally {
    store.close();
  }
}
