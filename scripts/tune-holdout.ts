/**
 * Does a tuned profile hold on fresh questions? Draws 16 samples for 520 arith questions (easy and hard, 260 each,
 * the bundled policy, no verifier; stored, so a rerun reuses them), then for each seed deals them into 120 dev
 * questions and 200 fresh ones, tunes `match` (tolerance 1 point) on dev and replays the profile on the fresh
 * questions against majority@16 there. Twice: as `mull tune` chose before issue 32 (dev accuracy alone, 4 bins),
 * and as it chooses now (a 0.9 one-sided bound on the paired loss, bins by dev size), whose 5-fold cross-validated
 * interval is printed beside. The check: the fresh loss is within the tolerance plus the interval's half-width.
 * Usage: npx tsx scripts/tune-holdout.ts [--seeds 1,2,3] [--db .mull/tune-holdout.db]
 */
import { parseArgs } from "node:util";
import { runBench } from "../src/bench/run-bench.js";
import { RunStore } from "../src/bench/run-store.js";
import { poolsFromUnits } from "../src/bench/sample-pool.js";
import { createRandom } from "../src/internal/seeded-random.js";
import { createMull } from "../src/runtime/create-mull.js";
import { crossValidateProfile } from "../src/strategies/auto/cross-validate.js";
import { majorityReference, replayProfile, type TuneOptions, tuneProfile } from "../src/strategies/auto/tune-profile.js";
import { loadSplit } from "../src/tasks/splits.js";

const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "1,2,3" },
    db: { type: "string", default: ".mull/tune-holdout.db" },
    confidence: { type: "string", default: "0.9" },
  },
});
const confidence = Number(values.confidence);
const seeds = (values.seeds as string).split(",").map(Number);
const samples = 16;
const tolerance = 1;
const strategy = `repeated-sampling:n=${samples}:topLogprobs=5`;

const items = (["easy", "hard"] as const).flatMap((difficulty) =>
  loadSplit({ task: "arith", difficulty, limit: 260 }).map((problem, index) => ({
    id: `arith-${difficulty}-${index}`,
    prompt: problem.prompt,
    answer: problem.answer,
    difficulty,
    task: "arith" as const,
  })),
);

const store = new RunStore(values.db as string);
const mull = createMull();
const config = { script: "tune-holdout", strategy, questions: items.length };
const runId = store.listRuns().find((run) => JSON.stringify(run.config) === JSON.stringify(config))?.id ?? store.createRun(config).id;
const started = Date.now();
await runBench({
  mull,
  store,
  runId,
  model: "mull-tiny-policy",
  items,
  strategies: [strategy],
  budgets: [0],
  concurrency: 2,
  onProgress: ({ done, total }) => {
    if (done % 40 === 0) process.stderr.write(`pool: ${done}/${total} questions, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  },
});
store.markDone(runId);
const { pools } = poolsFromUnits(store.units(runId));
await mull.dispose();
store.close();

const percent = (value: number) => `${(100 * value).toFixed(1)}%`;
const signed = (value: number) => `${value >= 0 ? "+" : "−"}${Math.abs(100 * value).toFixed(1)}`;
const sampling = { temperature: 0.7, topLogprobs: 5, window: 16 };
console.log(`pool: ${pools.length} questions × ${samples} samples (run ${runId} in ${values.db})\n`);
console.log(
  "| seed | tuner | bins | dev accuracy | cross-validated loss vs majority (95%) | fresh accuracy | fresh majority@16 | fresh loss | tokens vs majority | holds |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|");
for (const seed of seeds) {
  const random = createRandom(seed);
  const order = pools.map((_, index) => index);
  for (let index = order.length - 1; index > 0; index--) {
    const other = random.integer(0, index);
    [order[index], order[other]] = [order[other] as number, order[index] as number];
  }
  const dev = order.slice(0, 120).map((index) => pools[index] as (typeof pools)[number]);
  const fresh = order.slice(120, 320).map((index) => pools[index] as (typeof pools)[number]);
  for (const [name, settings] of [
    ["before (dev accuracy, 4 bins)", { confidence: 0, bins: 4, fixedBins: true }],
    [`now (${confidence} bound, bins by size)`, { confidence, bins: 4, fixedBins: false }],
  ] as const) {
    const options: TuneOptions = {
      pools: dev,
      objective: { kind: "match", tolerance },
      bins: settings.bins,
      confidence: settings.confidence,
      sampling,
      tunedOn: { seed },
      ...(settings.fixedBins ? { questionsPerBin: 0 } : {}),
    };
    const tuned = tuneProfile(options);
    if (!tuned) throw new Error("no profile");
    if (process.env.DEBUG)
      console.error(
        seed,
        name,
        JSON.stringify(tuned.profile.dev),
        tuned.profile.probe.samples,
        tuned.profile.bins.map((bin) => JSON.stringify(bin.action)),
      );
    const heldOut = settings.fixedBins ? undefined : crossValidateProfile({ ...options, folds: 5 });
    const replayed = replayProfile(tuned.profile, fresh);
    const majority = majorityReference(fresh);
    const right = replayed.reduce((sum, totals) => sum + totals.correct, 0) / fresh.length;
    const reference = majority.correct / fresh.length;
    const tokens = replayed.reduce((sum, totals) => sum + totals.tokens, 0) / majority.tokens;
    const half = heldOut ? (heldOut.difference.high - heldOut.difference.low) / 2 : 0;
    const holds = right - reference >= -(tolerance / 100 + half) - 1e-12;
    console.log(
      `| ${seed} | ${name} | ${tuned.profile.bins.length} | ${percent(tuned.dev.correct / tuned.dev.questions)} | ${heldOut ? `${signed(heldOut.difference.mean)} [${signed(heldOut.difference.low)}, ${signed(heldOut.difference.high)}]` : "—"} | ${percent(right)} | ${percent(reference)} | ${signed(right - reference)} | ${percent(tokens)} | ${heldOut ? (holds ? "yes" : "NO") : right - reference >= -tolerance / 100 - 1e-12 ? "within tolerance" : "outside tolerance"} |`,
    );
  }
}
