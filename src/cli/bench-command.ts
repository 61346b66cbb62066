import { readFileSync, writeFileSync } from "node:fs";
import { SingleBar } from "cli-progress";
import { loadDataset } from "../bench/datasets.js";
import { renderReport } from "../bench/report.js";
import { compareStrategies, formatSummary, runBench, summarize, validateStrategySpecs } from "../bench/run-bench.js";
import { RunStore } from "../bench/run-store.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import { resolveModel } from "../registry/models.js";
import { verifierStrategies } from "../registry/strategies.js";
import { createProcessRewardModel } from "../verifiers/process-reward-model.js";

export type BenchFlags = {
  /** A JSON file with any of these flags (a versioned suite); flags given on the command line win. */
  config?: string;
  dataset?: string;
  format?: "gsm8k" | "math" | "jsonl" | "csv";
  promptField?: string;
  answerField?: string;
  template?: string;
  limit?: number;
  strategies: string;
  budgets: string;
  model: string;
  db: string;
  resume?: string;
  concurrency: number;
  maxTokens: number;
  failOnMalformed?: boolean;
  parameters?: number;
  json?: boolean;
};

/** Parameter counts of the bundled models, for the FLOPs estimate. */
const bundledParameters: Record<string, number> = { "mull-tiny-policy": 5_296_384 };

const parametersOf = (config: Record<string, unknown>): number | undefined =>
  typeof config.parameters === "number" ? config.parameters : bundledParameters[String(config.model)];

/** `mull bench`: a grid of strategies × budgets over a dataset, stored as it goes, resumable. */
export async function runBenchCommand(commandLine: BenchFlags, explicit: Set<string> = new Set()): Promise<void> {
  let flags = commandLine;
  if (commandLine.config) {
    let fromFile: Partial<BenchFlags>;
    try {
      fromFile = JSON.parse(readFileSync(commandLine.config, "utf8")) as Partial<BenchFlags>;
    } catch (error) {
      throw new InvalidArgumentError({
        parameter: "--config",
        value: commandLine.config,
        message: `cannot read ${commandLine.config}: ${(error as Error).message}`,
      });
    }
    // The file fills in what the command line did not set explicitly.
    const explicitFlags = Object.fromEntries(Object.entries(commandLine).filter(([key]) => explicit.has(key)));
    flags = { ...commandLine, ...fromFile, ...explicitFlags } as BenchFlags;
  }
  const store = new RunStore(flags.db);
  try {
    let config: Record<string, unknown>;
    let runId: string | undefined;
    if (flags.resume) {
      const run = store.getRun(flags.resume);
      if (!run)
        throw new InvalidArgumentError({
          parameter: "--resume",
          value: flags.resume,
          message: `no run ${JSON.stringify(flags.resume)} in ${flags.db}; see mull runs`,
        });
      config = run.config;
      runId = run.id;
    } else {
      if (!flags.dataset) throw new InvalidArgumentError({ parameter: "--dataset", message: "is required (or --resume <run>)" });
      config = { ...flags, db: undefined, json: undefined, config: undefined };
    }
    const settings = config as unknown as BenchFlags;
    const dataset = loadDataset({
      dataset: settings.dataset as string,
      ...(settings.format ? { format: settings.format } : {}),
      ...(settings.promptField ? { promptField: settings.promptField } : {}),
      ...(settings.answerField ? { answerField: settings.answerField } : {}),
      ...(settings.template ? { template: settings.template } : {}),
      ...(settings.limit !== undefined ? { limit: settings.limit } : {}),
      onMalformed: settings.failOnMalformed ? "fail" : "skip",
    });
    for (const error of dataset.errors) process.stderr.write(`skipped ${error.message}\n`);
    const strategies = settings.strategies
      .split(",")
      .map((spec) => spec.trim())
      .filter(Boolean);
    const budgets = settings.budgets.split(",").map((value) => {
      const budget = value.trim() === "none" ? 0 : Number(value);
      if (!Number.isInteger(budget) || budget < 0)
        throw new InvalidArgumentError({ parameter: "--budgets", value, message: "must be token counts (or none), comma-separated" });
      return budget;
    });
    const model = resolveModel({ spec: settings.model });
    const needsVerifier = strategies.some((spec) => verifierStrategies.includes(spec.split(":")[0] ?? ""));
    const verifierModel = needsVerifier ? resolveModel({ spec: "mull-tiny-prm", llamaCpp: { sequences: 2 } }) : undefined;
    const verifier = verifierModel ? createProcessRewardModel({ model: verifierModel }) : undefined;
    validateStrategySpecs(strategies, verifier);
    // Only a valid grid becomes a stored run, so that bad arguments leave no half-made run behind.
    runId ??= store.createRun(config).id;
    // The run id goes to stderr even with --json, so that a script can resume what it started.
    process.stderr.write(`run ${runId}: ${dataset.items.length} items × ${strategies.length} strategies × ${budgets.length} budgets\n`);
    const controller = new AbortController();
    process.once("SIGINT", () => controller.abort(new DOMException("interrupted", "AbortError")));
    const bar =
      process.stderr.isTTY && !flags.json
        ? new SingleBar({ format: "{bar} {value}/{total} units | {rate} units/s | ETA {eta_formatted}", hideCursor: true })
        : undefined;
    const started = Date.now();
    let lastLine = 0;
    try {
      await runBench({
        store,
        runId,
        model,
        items: dataset.items,
        strategies,
        budgets,
        ...(verifier ? { verifier } : {}),
        concurrency: settings.concurrency,
        maxTokens: settings.maxTokens,
        abortSignal: controller.signal,
        onProgress: ({ done, total, skipped }) => {
          if (bar) {
            if (done === 1 || !bar.getTotal()) bar.start(total, 0, { rate: "0" });
            bar.update(done, { rate: ((done - skipped) / Math.max(1, (Date.now() - started) / 1000)).toFixed(2) });
          } else if (!flags.json && (Date.now() - lastLine > 2000 || done === total)) {
            lastLine = Date.now();
            process.stderr.write(`${done}/${total} units (${skipped} resumed)\n`);
          }
        },
      });
    } finally {
      bar?.stop();
      await model.dispose?.();
      await verifierModel?.dispose?.();
    }
    if (controller.signal.aborted) {
      process.stderr.write(`interrupted; resume with: mull bench --resume ${runId}\n`);
      return;
    }
    store.markDone(runId);
    const rows = summarize(store.units(runId), { ...(parametersOf(config) ? { parameters: parametersOf(config) as number } : {}) });
    if (flags.json) console.log(JSON.stringify({ run: runId, dataset: dataset.name, skippedLines: dataset.errors, summary: rows }));
    else console.log(formatSummary(rows));
  } finally {
    store.close();
  }
}

export function listRunsCommand(flags: { db: string; json?: boolean }): void {
  const store = new RunStore(flags.db);
  try {
    const runs = store.listRuns();
    if (flags.json) console.log(JSON.stringify(runs));
    else
      for (const run of runs)
        console.log(
          `${run.id}  ${run.status.padEnd(7)}  ${String(run.units).padStart(5)} units  ${String(run.config.dataset)}  ${String(run.config.strategies)}  budgets ${String(run.config.budgets)}`,
        );
  } finally {
    store.close();
  }
}

export function showRunCommand(flags: { db: string; id: string; compare?: string; json?: boolean }): void {
  const store = new RunStore(flags.db);
  try {
    const run = store.getRun(flags.id);
    if (!run) throw new InvalidArgumentError({ parameter: "run", value: flags.id, message: `no run ${JSON.stringify(flags.id)} in ${flags.db}` });
    const units = store.units(run.id);
    const rows = summarize(units, { ...(parametersOf(run.config) ? { parameters: parametersOf(run.config) as number } : {}) });
    const [first, second] = (flags.compare ?? "").split(",").map((name) => name.trim());
    const comparison = first && second ? compareStrategies(units, first, second) : undefined;
    if (flags.json) {
      console.log(JSON.stringify({ run, summary: rows, ...(comparison ? { comparison: { first, second, rows: comparison } } : {}) }));
      return;
    }
    console.log(`run ${run.id} (${run.status}), dataset ${String(run.config.dataset)}\n\n${formatSummary(rows)}`);
    for (const row of comparison ?? []) {
      console.log(
        `\n${first} − ${second}, budget ${row.budget || "none"}, ${row.items} paired items: ${(100 * row.difference).toFixed(1)} points [${(100 * row.low).toFixed(1)}, ${(100 * row.high).toFixed(1)}]`,
      );
    }
  } finally {
    store.close();
  }
}

/** `mull report <run>`: a self-contained HTML report. */
export async function reportCommand(flags: { db: string; id: string; output?: string }): Promise<void> {
  const store = new RunStore(flags.db);
  try {
    const run = store.getRun(flags.id);
    if (!run) throw new InvalidArgumentError({ parameter: "run", value: flags.id, message: `no run ${JSON.stringify(flags.id)} in ${flags.db}` });
    const html = await renderReport({ run, units: store.units(run.id) });
    const output = flags.output ?? `report-${run.id}.html`;
    writeFileSync(output, html);
    console.log(`wrote ${output}`);
  } finally {
    store.close();
  }
}
