/**
 * Step-level search against its baselines (majority vote and PRM best-of-N) on the held-out countdown
 * split and the arith hard split, at several sizes. Runs go to a run store (resumable with --resume-countdown /
 * --resume-arith, viewable with `mull report`); the script prints accuracy with 95% intervals against
 * generated tokens and PRM tokens (counted apart), then compares every search with the best-of-N that
 * spent at least as many total tokens (generated + PRM) on the same problems.
 *
 * Usage: npm run bench:search -- [--countdown 100] [--arith 60] [--sizes 4,16] [--best-of-n-sizes 4,16,32,64]
 *   [--strategies best-of-n:n=16,beam-search:n=16 (replaces the list the sizes make)] [--db .mull/bench-search.db]
 *   [--model mull-tiny-policy (e.g. mull-tiny-policy?engine=llama-server)]
 */
import { parseArgs } from "node:util";
import { loadDataset } from "../src/bench/datasets.js";
import { compareStrategies, runBench, type SummaryRow, summarize } from "../src/bench/run-bench.js";
import { RunStore, type UnitRecord } from "../src/bench/run-store.js";
import { createMull } from "../src/runtime/create-mull.js";
import { searchStrategies } from "../src/runtime/create-strategy.js";

const { values } = parseArgs({
  options: {
    countdown: { type: "string", default: "100" },
    arith: { type: "string", default: "60" },
    sizes: { type: "string", default: "4,16" },
    "best-of-n-sizes": { type: "string", default: "4,16,32,64" },
    strategies: { type: "string" },
    db: { type: "string", default: ".mull/bench-search.db" },
    "resume-countdown": { type: "string" },
    "resume-arith": { type: "string" },
    model: { type: "string", default: "mull-tiny-policy" },
  },
});
const sizes = values.sizes.split(",").map(Number);
const bestOfNSizes = values["best-of-n-sizes"].split(",").map(Number);
const strategies = values.strategies?.split(",") ?? [
  ...bestOfNSizes.map((n) => `best-of-n:n=${n}`),
  ...sizes.map((n) => `self-consistency:n=${n}`),
  ...sizes.flatMap((n) => searchStrategies.map((name) => `${name}:n=${n}`)),
];

// The policy and the bundled PRM (default aggregation), resolved as every entry point resolves them.
const mull = createMull();
const store = new RunStore(values.db);
const started = Date.now();
const log = (message: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0)}s] ${message}\n`);

const total = (row: SummaryRow) => row.completionTokens + row.verifierTokens;
const percent = (value: number) => `${(100 * value).toFixed(1)}%`;

async function benchmark(dataset: string, limit: number, resume: string | undefined): Promise<void> {
  const { items } = loadDataset({ dataset, limit });
  const runId = resume ?? store.createRun({ dataset, limit, strategies: strategies.join(","), budgets: "none", model: values.model, maxTokens: 200 }).id;
  log(`${dataset}: run ${runId}, ${items.length} problems × ${strategies.length} strategies (resume with --resume-${dataset.split("-")[0]} ${runId})`);
  let lastLine = 0;
  await runBench({
    store,
    runId,
    mull,
    model: values.model,
    items,
    strategies,
    budgets: [0],
    verifier: "prm",
    maxTokens: 200,
    onProgress: ({ done, total: count }) => {
      if (Date.now() - lastLine > 30_000 || done === count) {
        lastLine = Date.now();
        log(`${dataset}: ${done}/${count} units`);
      }
    },
  });
  store.markDone(runId);
  const units: UnitRecord[] = store.units(runId);
  const rows = summarize(units)
    .filter((row) => row.difficulty === "all")
    .sort((a, b) => a.strategy.localeCompare(b.strategy, "en", { numeric: true }));
  console.log(`\n### ${dataset} (${items.length} problems, run ${runId})\n`);
  console.log("| strategy | accuracy | 95% interval | generated tok | PRM tok | total tok | prompt tok (reused) | calls | ms |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const row of rows) {
    const cached = units.filter((unit) => unit.strategy === row.strategy).reduce((sum, unit) => sum + Number(unit.detail.cachedPromptTokens ?? 0), 0) / row.n;
    console.log(
      `| ${row.strategy} | ${percent(row.accuracy)} | ${percent(row.low)}–${percent(row.high)} | ${row.completionTokens.toFixed(0)} | ${row.verifierTokens.toFixed(0)} | ${total(row).toFixed(0)} | ${row.promptTokens.toFixed(0)} (${row.promptTokens > 0 ? percent(cached / row.promptTokens) : "-"}) | ${row.calls.toFixed(1)} | ${row.wallMs.toFixed(0)} |`,
    );
  }
  // Equal compute: each search against the cheapest best-of-N that spent at least as much (generated + PRM tokens).
  const bestOfN = rows.filter((row) => row.strategy.startsWith("best-of-n:")).sort((a, b) => total(a) - total(b));
  console.log(`\n${dataset}: each search against PRM best-of-N with at least its total tokens (paired over the same problems)\n`);
  console.log("| search | total tok | best-of-N | its total tok | search − best-of-N | 95% interval |");
  console.log("|---|---|---|---|---|---|");
  for (const row of rows.filter((item) => searchStrategies.includes(item.strategy.split(":")[0] ?? ""))) {
    const baseline = bestOfN.find((item) => total(item) >= total(row)) ?? bestOfN.at(-1);
    if (!baseline) continue;
    const [difference] = compareStrategies(units, row.strategy, baseline.strategy);
    if (!difference) continue;
    const matched = total(baseline) >= total(row) ? "" : " (largest; spent less)";
    console.log(
      `| ${row.strategy} | ${total(row).toFixed(0)} | ${baseline.strategy}${matched} | ${total(baseline).toFixed(0)} | ${(100 * difference.difference).toFixed(1)} points | ${(100 * difference.low).toFixed(1)} to ${(100 * difference.high).toFixed(1)} |`,
    );
  }
}

try {
  // A count of 0 skips that dataset.
  if (Number(values.countdown) > 0) await benchmark("countdown-medium", Number(values.countdown), values["resume-countdown"]);
  if (Number(values.arith) > 0) await benchmark("arith-hard", Number(values.arith), values["resume-arith"]);
} finally {
  store.close();
  await mull.dispose();
}
