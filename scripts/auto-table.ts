/**
 * The results table of the `auto` evaluation: every strategy of one or more stored bench runs on the same
 * items, against a baseline (default self-consistency:n=32): accuracy with its 95% interval, generated and
 * verifier tokens per question, the share of the baseline's generated tokens, and the paired accuracy
 * difference with its interval; then accuracy and tokens per difficulty.
 * Usage: npx tsx scripts/auto-table.ts --run .mull/eval.db:<run> [--run .mull/batch.db:<run>] [--baseline <spec>]
 */
import { parseArgs } from "node:util";
import { compareStrategies, summarize } from "../src/bench/run-bench.js";
import { RunStore, type UnitRecord } from "../src/bench/run-store.js";

const { values } = parseArgs({
  options: {
    run: { type: "string", multiple: true },
    baseline: { type: "string", default: "self-consistency:n=32" },
    label: { type: "string", multiple: true },
  },
});
if (!values.run?.length) throw new Error("usage: auto-table.ts --run <db>:<run> [--run ...] [--baseline <spec>] [--label <db run index>=<suffix>]");
const units: UnitRecord[] = [];
values.run.forEach((entry, index) => {
  const separator = entry.lastIndexOf(":");
  const store = new RunStore(entry.slice(0, separator));
  // A run whose specs repeat another's (the batch allocator's) is told apart by a label.
  const suffix = values.label?.find((label) => label.startsWith(`${index}=`))?.slice(2) ?? "";
  for (const unit of store.units(entry.slice(separator + 1))) units.push({ ...unit, strategy: `${unit.strategy}${suffix}` });
  store.close();
});
const rows = summarize(units);
const baseline = rows.find((row) => row.strategy === values.baseline && row.difficulty === "all");
if (!baseline) throw new Error(`no ${values.baseline} in these runs`);
const percent = (value: number) => `${(100 * value).toFixed(1)}%`;
const points = (value: number) => `${value > 0 ? "+" : ""}${(100 * value).toFixed(1)}`;

console.log(`| strategy | n | accuracy | 95% interval | tokens/question | share of ${values.baseline}'s | verifier tokens | vs ${values.baseline} (paired) |`);
console.log("|---|---|---|---|---|---|---|---|");
for (const row of rows.filter((item) => item.difficulty === "all")) {
  const paired = row.strategy === values.baseline ? undefined : compareStrategies(units, row.strategy, values.baseline)[0];
  console.log(
    `| ${row.strategy} | ${row.n} | ${percent(row.accuracy)} | ${percent(row.low)}–${percent(row.high)} | ${row.completionTokens.toFixed(0)} | ${percent(row.completionTokens / baseline.completionTokens)} | ${row.verifierTokens.toFixed(0)} | ${paired ? `${points(paired.difference)} [${points(paired.low)}, ${points(paired.high)}]` : ""} |`,
  );
}
const difficulties = [...new Set(rows.map((row) => row.difficulty))].filter((difficulty) => difficulty !== "all").sort();
if (difficulties.length > 0) {
  console.log(`\n| strategy | ${difficulties.join(" | ")} |`);
  console.log(`|---|${difficulties.map(() => "---").join("|")}|`);
  for (const strategy of [...new Set(rows.map((row) => row.strategy))]) {
    const cells = difficulties.map((difficulty) => {
      const row = rows.find((item) => item.strategy === strategy && item.difficulty === difficulty);
      return row ? `${percent(row.accuracy)} @${row.completionTokens.toFixed(0)}` : "";
    });
    console.log(`| ${strategy} | ${cells.join(" | ")} |`);
  }
}
