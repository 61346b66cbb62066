/**
 * Agreement of mull's answer extraction and equivalence with the verdicts of the field's graders, on mull's
 * own case table (`test/fixtures/answer-cases.ts`), by category. Prints a Markdown table and the missed cases.
 * Usage: npm run answers:agreement
 */
import { answersEquivalent } from "../src/answers/answers-equivalent.js";
import { findAnswerText } from "../src/answers/extract-answer.js";
import { agreementByCategory } from "../test/fixtures/answer-cases.js";

const started = performance.now();
const rows = agreementByCategory({
  equivalent: (a, b) => answersEquivalent(a, b),
  extractedEquivalent: (completion, gold) => answersEquivalent(findAnswerText(completion), gold),
});
const elapsed = performance.now() - started;
const total = rows.reduce((sum, row) => sum + row.cases, 0);
const agreed = rows.reduce((sum, row) => sum + row.agreed, 0);
console.log("| kind | category | cases | agreement |");
console.log("|---|---|---|---|");
for (const row of rows) console.log(`| ${row.kind} | ${row.category} | ${row.cases} | ${((100 * row.agreed) / row.cases).toFixed(1)}% |`);
console.log(`| all | all | ${total} | ${((100 * agreed) / total).toFixed(1)}% |`);
console.log(`\n${total} cases in ${(elapsed / 1000).toFixed(1)} s (${(elapsed / total).toFixed(1)} ms a case)`);
const misses = rows.flatMap((row) => row.misses.map((miss) => `- ${row.kind} / ${row.category}: ${miss}`));
if (misses.length > 0) console.log(`\nMissed:\n${misses.join("\n")}`);
