/**
 * Paired comparisons within a bench:search run, on the problems after the first `--after` (those no
 * decision was based on) and on all of them: e.g. a search against the best-of-N it was matched with.
 *
 * Usage: npx tsx scripts/bench-search-confirm.ts --run <id> [--db .mull/bench-search.db] [--dataset countdown-medium]
 *   [--after 200] --pairs particle-filter:n=16~best-of-n:n=12,beam-search:n=16~best-of-n:n=16
 */
import { parseArgs } from "node:util";
import { loadDataset } from "../src/bench/datasets.js";
import { compareStrategies, summarize } from "../src/bench/run-bench.js";
import { RunStore } from "../src/bench/run-store.js";

const { values } = parseArgs({
  options: {
    run: { type: "string" },
    db: { type: "string", default: ".mull/bench-search.db" },
    dataset: { type: "string", default: "countdown-medium" },
    after: { type: "string", default: "200" },
    pairs: { type: "string" },
  },
});
if (!values.run || !values.pairs) throw new Error("usage: --run <id> --pairs a~b[,c~d]");
const pairs = values.pairs.split(",").map((pair) => pair.split("~") as [string, string]);
const strategies = [...new Set(pairs.flat())];
const store = new RunStore(values.db);
const units = store.units(values.run).filter((unit) => strategies.includes(unit.strategy));
store.close();
const seen = new Set(loadDataset({ dataset: values.dataset, limit: Number(values.after) }).items.map((item) => item.id));
for (const [label, keep] of [
  [`problems after the first ${values.after}`, (id: string) => !seen.has(id)],
  ["all problems", () => true],
] as const) {
  const chosen = units.filter((unit) => keep(unit.itemId));
  console.log(`\n${label}\n\n| strategy | problems | accuracy | 95% interval | total tok (generated + PRM) |\n|---|---|---|---|---|`);
  const rows = summarize(chosen).filter((row) => row.difficulty === "all");
  for (const strategy of strategies) {
    const row = rows.find((item) => item.strategy === strategy);
    if (row)
      console.log(
        `| ${strategy} | ${row.n} | ${(100 * row.accuracy).toFixed(1)}% | ${(100 * row.low).toFixed(1)}–${(100 * row.high).toFixed(1)}% | ${(row.completionTokens + row.verifierTokens).toFixed(0)} |`,
      );
  }
  console.log("");
  for (const [first, second] of pairs) {
    const [difference] = compareStrategies(chosen, first, second);
    if (difference)
      console.log(
        `${first} − ${second}: ${(100 * difference.difference).toFixed(1)} points [${(100 * difference.low).toFixed(1)}, ${(100 * difference.high).toFixed(1)}] over ${difference.items} problems`,
      );
  }
}
