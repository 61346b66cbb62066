/**
 * How well calibrated `auto`'s difficulty estimate is on questions the profile never saw: from a bench run's
 * `auto:profile=...` units, the probe (each unit's first candidates, stored with their confidence and scores) is
 * turned into the profile's estimate again, and set against whether the probe's vote was right. Prints a
 * reliability table (estimate bins: mean estimate vs share right), the Brier score and the AUROC, overall and
 * by difficulty.
 * Usage: npx tsx scripts/probe-calibration.ts --db .mull/eval.db --run <run> --strategy auto:profile=<file>[:...]
 */
import { parseArgs } from "node:util";
import { RunStore } from "../src/bench/run-store.js";
import { poolsFromUnits } from "../src/bench/sample-pool.js";
import { areaUnderRoc } from "../src/internal/statistics.js";
import { estimateDifficulty, probeFeatures } from "../src/strategies/auto/auto-probe.js";
import { loadProfile } from "../src/strategies/auto/auto-profile.js";
import { replayQuestion } from "../src/strategies/auto/tune-profile.js";

const { values } = parseArgs({ options: { db: { type: "string", default: ".mull/runs.db" }, run: { type: "string" }, strategy: { type: "string" } } });
if (!values.run || !values.strategy) throw new Error("usage: probe-calibration.ts --db <db> --run <run> --strategy auto:profile=<file>");
const profileFile = /profile=([^:]+)/.exec(values.strategy)?.[1];
if (!profileFile) throw new Error("--strategy must name a profile (auto:profile=<file>)");
const profile = loadProfile(profileFile);
const store = new RunStore(values.db);
const units = store.units(values.run).filter((unit) => unit.strategy === values.strategy);
const { pools } = poolsFromUnits(units);
store.close();
const probe = profile.probe.samples;
const rows = pools
  .filter((item) => item.candidates.length >= probe)
  .map((item) => ({
    group: item.group ?? "all",
    estimate: estimateDifficulty(profile.estimate, probeFeatures(item.candidates.slice(0, probe))).estimate,
    right: replayQuestion(item, { kind: "stop" }, probe, false).correct === 1,
  }));

function summary(label: string, selected: typeof rows): string {
  const brier = selected.reduce((sum, row) => sum + (row.estimate - (row.right ? 1 : 0)) ** 2, 0) / selected.length;
  const auroc = areaUnderRoc(
    selected.map((row) => row.estimate),
    selected.map((row) => row.right),
  );
  const meanEstimate = selected.reduce((sum, row) => sum + row.estimate, 0) / selected.length;
  const share = selected.filter((row) => row.right).length / selected.length;
  return `| ${label} | ${selected.length} | ${(100 * meanEstimate).toFixed(1)}% | ${(100 * share).toFixed(1)}% | ${brier.toFixed(3)} | ${Number.isNaN(auroc) ? "-" : auroc.toFixed(3)} |`;
}

console.log(`${rows.length} questions, probe of ${probe} (${profileFile})\n`);
console.log("| estimate | questions | mean estimate | probe vote right | Brier | AUROC |");
console.log("|---|---|---|---|---|---|");
for (const [low, high] of [
  [0, 0.2],
  [0.2, 0.4],
  [0.4, 0.6],
  [0.6, 0.8],
  [0.8, 0.95],
  [0.95, 1.01],
] as const) {
  const selected = rows.filter((row) => row.estimate >= low && row.estimate < high);
  if (selected.length > 0) console.log(summary(`${low.toFixed(2)}–${Math.min(1, high).toFixed(2)}`, selected));
}
console.log(summary("all", rows));
console.log("\n| difficulty | questions | mean estimate | probe vote right | Brier | AUROC |");
console.log("|---|---|---|---|---|---|");
for (const group of [...new Set(rows.map((row) => row.group))].sort())
  console.log(
    summary(
      group,
      rows.filter((row) => row.group === group),
    ),
  );
