/**
 * Multiple-choice records (GPQA- and MMLU-style JSONL): the options as a list (`choices`, `options`) or as
 * an object keyed by letter, the answer as a letter, a 0-based index or the option's text. The prompt lists
 * the options as `A) ...`; the gold answer is the letter.
 */
const letters = "ABCDEFGHIJ";

export type MultipleChoice = { prompt: string; answer: string };

/** The options of a record, in order, or undefined when it has none. */
export function optionsOf(record: Record<string, unknown>): string[] | undefined {
  const value = record.choices ?? record.options;
  if (Array.isArray(value) && value.length >= 2 && value.every((item) => typeof item === "string" || typeof item === "number")) return value.map(String);
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([key]) => /^[A-J]$/i.test(key));
    if (entries.length >= 2) return entries.sort(([a], [b]) => a.localeCompare(b)).map(([, text]) => String(text));
  }
  return undefined;
}

export function multipleChoice(options: { question: string; choices: string[]; answer: unknown }): MultipleChoice {
  const { question, choices } = options;
  if (choices.length > letters.length) throw new SyntaxError(`at most ${letters.length} options, found ${choices.length}`);
  const listed = choices.map((choice, index) => `${letters[index]}) ${choice}`).join("\n");
  return { prompt: `${question.trim()}\n\n${listed}`, answer: letterOf(options.answer, choices) };
}

function letterOf(answer: unknown, choices: string[]): string {
  if (typeof answer === "number" && Number.isInteger(answer) && answer >= 0 && answer < choices.length) return letters[answer] as string;
  if (typeof answer === "string") {
    const letter = /^\(?([A-J])\)?$/i.exec(answer.trim())?.[1]?.toUpperCase();
    if (letter && letters.indexOf(letter) < choices.length) return letter;
    const index = choices.findIndex((choice) => choice.trim() === answer.trim());
    if (index !== -1) return letters[index] as string;
  }
  throw new SyntaxError(`the answer ${JSON.stringify(answer)} is neither an option's letter, its index, nor its text`);
}
