/**
 * Grading agreement on real golds: every MATH500 and GSM8K gold (from ../shared/datasets) written the ways models
 * write it must grade equal, every near miss unequal. Prints the rate by source and category, and the misses.
 * Usage: npx tsx scripts/answer-golds.ts [--datasets ../shared/datasets] [--source MATH500|GSM8K] [--misses 40]
 */
import { answersEquivalent } from "../src/answers/answers-equivalent.js";
import { findAnswerText } from "../src/answers/extract-answer.js";
import { benchmarkGolds, goldCases } from "../test/fixtures/gold-phrasings.js";

const argument = (name: string, fallback: string) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : (process.argv[at + 1] ?? fallback);
};
const folder = argument("--datasets", "../shared/datasets");
const shown = Number(argument("--misses", "40"));
const only = argument("--source", "");
const started = performance.now();
const rows = new Map<string, { cases: number; agreed: number }>();
const misses: string[] = [];
let total = 0;
let agreed = 0;
for (const { source, golds } of benchmarkGolds(folder).filter((set) => only === "" || set.source === only)) {
  for (const item of goldCases(source, golds)) {
    const verdict = answersEquivalent(findAnswerText(item.completion), item.gold);
    const key = `${source} | ${item.category}`;
    const row = rows.get(key) ?? { cases: 0, agreed: 0 };
    row.cases++;
    total++;
    if (verdict === item.equal) {
      row.agreed++;
      agreed++;
    } else
      misses.push(
        `- ${key}: ${JSON.stringify(item.completion)} vs ${JSON.stringify(item.gold)} (extracted ${JSON.stringify(findAnswerText(item.completion))})`,
      );
    rows.set(key, row);
  }
}
console.log("| source | category | cases | agreement |\n|---|---|---|---|");
for (const [key, row] of [...rows].sort(([a], [b]) => a.localeCompare(b)))
  console.log(`| ${key} | ${row.cases} | ${((100 * row.agreed) / row.cases).toFixed(1)}% |`);
console.log(`| all | all | ${total} | ${total === 0 ? "-" : ((100 * agreed) / total).toFixed(2)}% |`);
console.log(`\n${total} cases in ${((performance.now() - started) / 1000).toFixed(1)} s; ${misses.length} missed`);
if (misses.length > 0) console.log(`\n${misses.slice(0, shown).join("\n")}`);
