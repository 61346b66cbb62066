import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { loadDataset } from "../bench/datasets.js";
import { runBench, summarize } from "../bench/run-bench.js";
import { RunStore, type UnitRecord } from "../bench/run-store.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import { defaults } from "../runtime/create-mull.js";
import { type Architecture, parseArchitecture } from "../strategies/compose/architecture.js";
import { type ArchitectureScore, defaultArchitectureSpace, rankArchitectures, roundSizes, survivors } from "../strategies/compose/architecture-search.js";
import type { CliContext } from "./cli-context.js";
import { integerOption } from "./parse-flags.js";

type TuneArchitectureFlags = {
  dataset: string;
  limit?: number;
  model: string;
  verifier: string;
  space?: string;
  tokenBudget?: number;
  rounds: number;
  keep: number;
  db: string;
  workDir: string;
  concurrency: number;
  out: string;
  json?: boolean;
};

export function addTuneArchitectureCommand(program: Command, context: () => CliContext): void {
  program
    .command("tune-architecture")
    .description(
      "Search a space of architectures on a dev set by successive halving through the bench (stored units are reused when rerun) and write the best one",
    )
    .requiredOption(
      "--dataset <names|files>",
      "the dev set: datasets mull bench reads, comma-separated, taken in turn (mull's own: arith-hard-dev, countdown-dev, mixed-dev, ...)",
    )
    .option("--limit <count>", "most questions of each dataset", integerOption("--limit"))
    .option("-m, --model <spec>", "model spec", defaults.model)
    .option("--verifier <spec>", "the verifier the architectures' verifier roles use", "prm")
    .option("--space <file>", "a JSON list of architecture documents, each with a name (default: the built-in space of 39, see the README)")
    .option("--token-budget <tokens>", "most generated + verifier tokens per question; within it first (default: none)", integerOption("--token-budget"))
    .option("--rounds <count>", "rounds of successive halving", integerOption("--rounds"), 3)
    .option("--keep <divisor>", "each round keeps the best 1/keep", integerOption("--keep", 2), 3)
    .option("--db <path>", "the run store", ".mull/runs.db")
    .option("--work-dir <dir>", "where the space's architecture files are written (bench specs name them)", ".mull/architectures")
    .option("--concurrency <count>", "questions in flight", integerOption("--concurrency"), 2)
    .option("-o, --out <file>", "where to write the best architecture", "architecture.json")
    .option("--json", "print the ranking as JSON")
    .action((flags: TuneArchitectureFlags) => tuneArchitectureCommand(flags, context()));
}

/** The space to search: the file's documents (each validated, names unique), or the built-in one. */
function spaceOf(path: string | undefined): { name: string; architecture: Architecture }[] {
  if (path === undefined) return defaultArchitectureSpace();
  let documents: unknown;
  try {
    documents = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new InvalidArgumentError({
      parameter: "--space",
      value: path,
      message: `cannot read a JSON list of architectures from ${path}: ${(error as Error).message}`,
    });
  }
  if (!Array.isArray(documents) || documents.length === 0)
    throw new InvalidArgumentError({ parameter: "--space", value: path, message: "must be a non-empty JSON list of architecture documents" });
  const space = documents.map((document, index) => {
    const architecture = parseArchitecture(document, `${path}[${index}]`);
    if (!architecture.name)
      throw new InvalidArgumentError({ parameter: "--space", value: path, message: `${path}[${index}]: name: each architecture needs one` });
    return { name: architecture.name, architecture };
  });
  const names = new Set(space.map((entry) => entry.name));
  if (names.size < space.length) throw new InvalidArgumentError({ parameter: "--space", value: path, message: "architecture names must be unique" });
  return space;
}

/** The dev questions: one dataset, or several (comma-separated) taken in turn, so that every round sees each; `limit` per dataset. */
function devItems(flags: TuneArchitectureFlags): ReturnType<typeof loadDataset>["items"] {
  const lists = flags.dataset
    .split(",")
    .map((name) => loadDataset({ dataset: name.trim(), ...(flags.limit !== undefined ? { limit: flags.limit } : {}) }).items);
  const longest = Math.max(...lists.map((list) => list.length));
  return Array.from({ length: longest }, (_, index) => lists.flatMap((list) => (index < list.length ? [list[index] as (typeof list)[number]] : []))).flat();
}

/** One round's stored run: the same configuration found again is resumed (its stored units are not run again). */
async function runRound(options: {
  flags: TuneArchitectureFlags;
  context: CliContext;
  store: RunStore;
  items: ReturnType<typeof loadDataset>["items"];
  range: [number, number];
  specs: string[];
}): Promise<UnitRecord[]> {
  const { flags, context, store, range, specs } = options;
  const config = {
    kind: "tune-architecture",
    dataset: flags.dataset,
    from: range[0],
    to: range[1],
    strategies: specs.join(","),
    model: flags.model,
    verifier: flags.verifier,
  };
  const same = (run: { config: Record<string, unknown> }) => Object.entries(config).every(([key, value]) => run.config[key] === value);
  const runId = store.listRuns().find(same)?.id ?? store.createRun(config).id;
  const stored = store.units(runId).length;
  context.err(`run ${runId}: questions ${range[0] + 1} to ${range[1]} × ${specs.length} architectures (${stored} units stored before)\n`);
  await runBench({
    mull: context.mull,
    store,
    runId,
    model: flags.model,
    verifier: flags.verifier,
    items: options.items.slice(range[0], range[1]),
    strategies: specs,
    budgets: [0],
    concurrency: flags.concurrency,
    retryErrors: true,
    abortSignal: context.signal,
  });
  if (!context.signal.aborted) store.markDone(runId);
  return store.units(runId);
}

function scoresOf(units: UnitRecord[], names: Map<string, string>): ArchitectureScore[] {
  return summarize(units)
    .filter((row) => row.difficulty === "all" && names.has(row.strategy))
    .map((row) => ({
      name: names.get(row.strategy) as string,
      questions: row.n,
      correct: Math.round(row.accuracy * row.n),
      tokens: (row.completionTokens + row.verifierTokens) * row.n,
      generatedTokens: row.completionTokens * row.n,
      verifierTokens: row.verifierTokens * row.n,
    }));
}

/** `mull tune-architecture`: successive halving over the space, then the best architecture written out. */
export async function tuneArchitectureCommand(flags: TuneArchitectureFlags, context: CliContext): Promise<void> {
  const space = spaceOf(flags.space);
  const items = devItems(flags);
  if (items.length === 0) throw new InvalidArgumentError({ parameter: "--dataset", value: flags.dataset, message: "has no questions" });
  mkdirSync(flags.workDir, { recursive: true });
  const specOf = new Map<string, string>();
  for (const { name, architecture } of space) {
    const path = resolve(join(flags.workDir, `${name}.json`));
    writeFileSync(path, `${JSON.stringify(architecture, null, 2)}\n`);
    specOf.set(name, `archon:config=${path}`);
  }
  const names = new Map([...specOf].map(([name, spec]) => [spec, name]));
  const sizes = roundSizes(items.length, flags.rounds, flags.keep);
  const store = new RunStore(flags.db);
  const units: UnitRecord[] = [];
  let alive = space.map((entry) => entry.name);
  let ranking: ArchitectureScore[] = [];
  try {
    for (const [round, size] of sizes.entries()) {
      const range: [number, number] = [sizes[round - 1] ?? 0, size];
      if (range[1] > range[0]) {
        const specs = alive.map((name) => specOf.get(name) as string);
        units.push(...(await runRound({ flags, context, store, items, range, specs })));
        if (context.signal.aborted) {
          context.err("interrupted; the same command resumes it (stored units are not run again)\n");
          return;
        }
      }
      const scores = scoresOf(units, names).filter((score) => alive.includes(score.name));
      ranking = rankArchitectures(scores, flags.tokenBudget);
      if (round < sizes.length - 1) alive = survivors(scores, flags.tokenBudget, flags.keep).map((score) => score.name);
    }
  } finally {
    store.close();
  }
  const best = ranking[0];
  const chosen = space.find((entry) => entry.name === best?.name);
  if (!best || !chosen) throw new InvalidArgumentError({ parameter: "--dataset", value: flags.dataset, message: "no architecture finished a question" });
  const description = `Searched by mull tune-architecture on ${flags.dataset} (${best.questions} questions; ${space.length} architectures, ${sizes.length} rounds): ${percent(best.correct / best.questions)} at ${(best.tokens / best.questions).toFixed(0)} tokens a question (generated + verifier). Dev numbers; evaluate it on held-out questions.`;
  writeFileSync(flags.out, `${JSON.stringify({ ...chosen.architecture, description }, null, 2)}\n`);
  context.out(flags.json ? JSON.stringify({ out: flags.out, best: best.name, ranking }) : describeRanking(ranking, flags.out));
}

const percent = (value: number) => `${(100 * value).toFixed(1)}%`;

function describeRanking(ranking: ArchitectureScore[], out: string): string {
  return [
    `wrote ${out}: ${ranking[0]?.name}`,
    "",
    "| architecture | questions | accuracy | tokens (generated + verifier) | generated | verifier |",
    "|---|---|---|---|---|---|",
    ...ranking.map(
      (score) =>
        `| ${score.name} | ${score.questions} | ${percent(score.correct / score.questions)} | ${(score.tokens / score.questions).toFixed(0)} | ${(score.generatedTokens / score.questions).toFixed(0)} | ${(score.verifierTokens / score.questions).toFixed(0)} |`,
    ),
  ].join("\n");
}
