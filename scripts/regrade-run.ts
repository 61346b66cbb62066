/**
 * Grades a stored bench run again with today's answer grading, from the completions it stored, and prints
 * how the verdicts moved: the stored accuracy (the grader of the day it ran), today's, and each unit that
 * flipped. Nothing is generated again. Used to check a grader change against real outputs (issue 29).
 * Usage: npx tsx scripts/regrade-run.ts --db .mull/runs.db --run <id> [--strategy single] [--out verdicts.jsonl]
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { createAnswerGrading } from "../src/answers/answer-grading.js";

const { values } = parseArgs({
  options: { db: { type: "string", default: ".mull/runs.db" }, run: { type: "string" }, strategy: { type: "string" }, out: { type: "string" } },
});
if (!values.run) throw new Error("--run <id> is required (mull runs lists them)");

type Row = { item_id: string; strategy: string; correct: number; detail: string };
const db = new Database(values.db, { readonly: true });
const rows = db.prepare("SELECT item_id, strategy, correct, detail FROM units WHERE run_id = ? AND error IS NULL ORDER BY item_id").all(values.run) as Row[];
const grading = createAnswerGrading();
const verdicts = rows
  .filter((row) => values.strategy === undefined || row.strategy === values.strategy)
  .map((row) => {
    const detail = JSON.parse(row.detail) as { expected?: string; candidates?: { text?: string }[] };
    const text = detail.candidates?.[0]?.text ?? "";
    const answer = grading.extract(text);
    return {
      item: row.item_id,
      strategy: row.strategy,
      expected: detail.expected ?? "",
      answer: answer ?? null,
      stored: row.correct === 1,
      today: grading.equivalent(answer, detail.expected),
      tail: text.slice(-160),
    };
  });
if (values.out) writeFileSync(values.out, verdicts.map((verdict) => JSON.stringify(verdict)).join("\n"));
const percent = (count: number) => `${((100 * count) / Math.max(1, verdicts.length)).toFixed(1)}%`;
const stored = verdicts.filter((verdict) => verdict.stored).length;
const today = verdicts.filter((verdict) => verdict.today).length;
const flips = verdicts.filter((verdict) => verdict.stored !== verdict.today);
console.log(`${verdicts.length} units: stored ${stored} (${percent(stored)}), regraded today ${today} (${percent(today)}), ${flips.length} flipped`);
for (const flip of flips)
  console.log(
    `- ${flip.item} ${flip.stored ? "right -> wrong" : "wrong -> right"}: expected ${JSON.stringify(flip.expected)}, read ${JSON.stringify(flip.answer)}`,
  );
