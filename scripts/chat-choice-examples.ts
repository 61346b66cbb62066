/**
 * Solved multiple-choice examples for choice-shuffle's kNN few-shot (`examples=`), from the tuning part of the
 * word problems (`word-<level>-choice-dev`), never the held-out problems a bench measures. Each is written as
 * the chat model answers: its arithmetic inside <think>, the result, the option's letter.
 *
 *   npx tsx scripts/chat-choice-examples.ts [--level hard] [--count 200] > .mull/word-hard-choice-examples.jsonl
 */
import { DEV_START } from "../src/bench/datasets.js";
import { chatInstructions } from "../src/bench/run-bench.js";
import { createRandom } from "../src/internal/seeded-random.js";
import type { Difficulty } from "../src/tasks/task.js";
import { loadWordSplit, wordChoiceForm, wordSolutionLines } from "../src/tasks/word-problem.js";
import { statement } from "../training/chat-conversations.js";

const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? (process.argv[index + 1] ?? fallback) : fallback;
};
const level = argument("--level", "hard") as Difficulty;
const count = Number(argument("--count", "200"));

for (const problem of loadWordSplit({ difficulty: level, start: DEV_START, limit: count })) {
  // The same options in the same order as the bench's `-dev` items show them.
  const form = wordChoiceForm(problem, createRandom(problem.seed));
  const reasoning = `<think>\n${wordSolutionLines(problem).join("\n")}\n</think>\n\n${statement(problem)} That is option ${form.letter}.`;
  process.stdout.write(`${JSON.stringify({ question: `${form.prompt}\n\n${chatInstructions.choice}`, answer: form.letter, reasoning })}\n`);
}
