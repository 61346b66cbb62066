/**
 * Medprompt's choice-shuffle ensemble (Nori et al., 2023): for a multiple-choice question, ask `n` times with
 * the options in a different order each time (the first as given), map each answer back to the option it names,
 * and vote. A model's preference for a position (say, always "A") then spreads over the options instead of
 * deciding the vote. The options are the prompt's last run of lines `A) ...`, `B) ...` (as the bench writes
 * multiple-choice records; `A.` and `A:` also read); answers are letters, in the original lettering. With
 * `examples`, Medprompt's dynamic few-shot comes first: the `k` most similar solved examples of that file
 * (`nearest-examples.ts`) go before the question, each as a question and its answer (with its reasoning, where
 * the file has one).
 */
import { z } from "zod";
import type { ChatMessage } from "../../core/call-options.js";
import type { Candidate } from "../../core/strategy-report.js";
import { defineStrategy } from "../../extension/define-strategy.js";
import { lastUserText } from "../../internal/prompt-text.js";
import { createRandom } from "../../internal/seeded-random.js";
import { callSeedStride, seedAt } from "../../internal/seeds.js";
import { firstWithAnswer, majorityVote } from "../majority-vote.js";
import { samplesOption, temperatureOption } from "../sampling-options.js";
import { indexExamples, loadExamples, type SolvedExample } from "./nearest-examples.js";

const letters = "ABCDEFGHIJ";

/** A multiple-choice text: what precedes the options, the options' texts in order, and what follows them. */
export type ChoiceQuestion = { before: string; options: string[]; after: string };

/** The last run of consecutive option lines lettered from A; undefined where the text has fewer than two. */
export function parseChoices(text: string): ChoiceQuestion | undefined {
  const lines = text.split("\n");
  for (let end = lines.length - 1; end >= 0; end--) {
    const options: string[] = [];
    let start = end;
    while (start >= 0) {
      const match = /^\s*\(?([A-J])[).:]\s+(.*)$/.exec(lines[start] ?? "");
      if (!match) break;
      options.unshift(match[2] as string);
      if (match[1] === "A") break;
      start--;
    }
    const lettered = options.every((_, index) => new RegExp(`^\\s*\\(?${letters[index]}[).:]`).test(lines[start + index] ?? ""));
    if (options.length >= 2 && lettered && /^\s*\(?A[).:]/.test(lines[start] ?? ""))
      return { before: lines.slice(0, start).join("\n"), options, after: lines.slice(end + 1).join("\n") };
  }
  return undefined;
}

/** The question with its options in `order` (indices into the original options), lettered from A again. */
export function withOrder(question: ChoiceQuestion, order: number[]): string {
  const listed = order.map((index, position) => `${letters[position]}) ${question.options[index]}`);
  return [...(question.before ? [question.before] : []), ...listed, ...(question.after ? [question.after] : [])].join("\n");
}

/** The original letter an answer names: its letter (`B`, `(B)`, `B)`, `the answer is B`) mapped back, else an option's exact text. */
export function originalLetter(answer: string | undefined, question: ChoiceQuestion, order: number[]): string | undefined {
  if (answer === undefined) return undefined;
  const letter =
    /^\s*\(?([A-J])\)?[.:]?\s*$/i.exec(answer)?.[1]?.toUpperCase() ??
    /\b(?:answer|option|choice)\s*(?:is\s*)?:?\s*\(?([A-J])\b/i.exec(answer)?.[1]?.toUpperCase();
  const position = letter === undefined ? -1 : letters.indexOf(letter);
  if (position >= 0 && position < order.length) return letters[order[position] as number];
  const byText = question.options.findIndex((option) => option.trim().toLowerCase() === answer.trim().toLowerCase());
  return byText === -1 ? undefined : letters[byText];
}

function replaceProblem(prompt: string | ChatMessage[], text: string): string | ChatMessage[] {
  if (typeof prompt === "string") return text;
  const index = prompt.findLastIndex((message) => message.role === "user" && typeof message.content === "string");
  return prompt.map((message, position) => (position === index ? { ...message, content: text } : message));
}

const exampleIndexes = new WeakMap<object, ReturnType<typeof indexExamples>>();

/** The solved examples before the question: as earlier turns of a conversation, or as text before a raw prompt. */
function withExamples(prompt: string | ChatMessage[], shots: readonly SolvedExample[]): string | ChatMessage[] {
  if (shots.length === 0) return prompt;
  const reply = (shot: SolvedExample) => `${shot.reasoning ? `${shot.reasoning}\n` : ""}Answer: ${shot.answer}`;
  if (typeof prompt === "string") return `${shots.map((shot) => `${shot.question}\n${reply(shot)}\n\n`).join("")}${prompt}`;
  const index = prompt.findLastIndex((message) => message.role === "user");
  const turns: ChatMessage[] = shots.flatMap((shot) => [
    { role: "user" as const, content: shot.question },
    { role: "assistant" as const, content: reply(shot) },
  ]);
  return [...prompt.slice(0, index), ...turns, ...prompt.slice(index)];
}

/** The question: a raw prompt as it is, a chat prompt's last user message. */
const problemOf = (prompt: string | ChatMessage[]): string => (typeof prompt === "string" ? prompt : lastUserText(prompt));

export const choiceShuffle = defineStrategy({
  name: "choice-shuffle",
  description: "Multiple choice: asks n times with the options shuffled, maps each answer back and votes (Medprompt's choice-shuffle ensemble)",
  options: z.strictObject({
    n: samplesOption(5, "Orders asked (the first as given). Default: 5"),
    temperature: temperatureOption(0.7),
    examples: z
      .string()
      .min(1)
      .optional()
      .describe("A JSON-lines file of solved examples (`question`, `answer`, optional `reasoning`) for kNN few-shot (Medprompt). Default: none")
      .meta({ kind: "file" }),
    k: z.number().int().min(1).max(32).default(5).describe("With `examples`: how many of the most similar go before the question. Default: 5"),
  }),
  resolve(settings) {
    // Read once, when the strategy is built: a missing or malformed file is an error before anything runs.
    if (settings.examples !== undefined) exampleIndexes.set(settings, indexExamples(loadExamples(settings.examples)));
    return settings;
  },
  checkProblem: (prompt) =>
    parseChoices(problemOf(prompt)) ? undefined : "needs a multiple-choice question: two or more option lines lettered from A, as `A) ...`",
  async run(context) {
    const { n, temperature, k } = context.options;
    const text = problemOf(context.call.prompt);
    const question = parseChoices(text);
    if (!question) throw new Error("choice-shuffle: the prompt was not checked for a multiple-choice question");
    const shots = exampleIndexes.get(context.options)?.nearest(text, k) ?? [];
    if (shots.length > 0) context.trace("few-shot", { questions: shots.map((shot) => shot.question.slice(0, 120)) });
    const random = createRandom(context.call.seed ?? 0);
    const identity = question.options.map((_, index) => index);
    const orders = Array.from({ length: n }, (_, index) => (index === 0 ? identity : random.shuffle(identity)));
    const asked = await Promise.all(
      orders.map(async (order, index) => {
        const seed = seedAt(context.call.seed, index, callSeedStride);
        const [candidate] = await context.sample({
          n: 1,
          waveSize: 1,
          temperature,
          call: { prompt: withExamples(replaceProblem(context.call.prompt, withOrder(question, order)), shots), ...(seed !== undefined ? { seed } : {}) },
        });
        // The extracted answer where the extractor found one, else the reply itself ("B", "... the answer is B").
        const letter = candidate ? (originalLetter(candidate.answer, question, order) ?? originalLetter(candidate.text, question, order)) : undefined;
        return candidate ? [{ ...candidate, answer: letter }] : [];
      }),
    );
    const candidates: Candidate[] = asked.flat();
    const { answer, votes, confidence } = majorityVote(candidates);
    context.trace("vote", { answer, votes });
    return { chosen: firstWithAnswer(candidates, answer), answer, confidence, candidates, votes };
  },
});

export type ChoiceShuffleOptions = NonNullable<Parameters<typeof choiceShuffle.create>[0]>;

export const createChoiceShuffle = (options: ChoiceShuffleOptions = {}) => choiceShuffle.create(options);

// This strategy's own trace event (core's union is open: see `TraceEventData`).
declare module "../../core/trace-event.js" {
  interface TraceEventData {
    /** Dynamic few-shot put these solved examples (their questions, cut) before the question, most similar first. */
    "few-shot": { questions: string[] };
  }
}
