/**
 * Benchmark datasets: mull's own held-out splits, and files users bring (GSM8K JSONL, MATH-style JSONL,
 * generic JSONL or CSV with configurable fields, an optional prompt template). A malformed line is
 * reported with its line number and skipped, or fails the load, by choice; it never crashes.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { extractAnswer } from "../answers/extract-answer.js";
import { normalizeAnswer } from "../answers/normalize-answer.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import { createRandom } from "../internal/seeded-random.js";
import { loadFunctionSplit } from "../tasks/function-synthesis.js";
import { loadSplit, type TaskName } from "../tasks/splits.js";
import type { Difficulty } from "../tasks/task.js";
import { loadWordSplit, wordChoiceForm } from "../tasks/word-problem.js";
import { multipleChoice, optionsOf } from "./multiple-choice.js";

export type BenchItem = {
  id: string;
  /**
   * The problem: for mull's own tasks the bundled model's full `Q: ...\nA: ` prompt; for a file, the question
   * as written (the bench wraps it in the model's own format) or, with a template, the templated text.
   */
  prompt: string;
  /** The prompt was made by the user's template: sent as written (a user message for chat models). */
  templated?: boolean;
  /** Normalised expected answer. */
  answer: string;
  difficulty?: string;
  /** A grouping the data carries (MATH's `subject`), kept with each unit. */
  group?: string;
  /**
   * What kind of answer the item wants, which decides the instruction a chat model gets (see `run-bench.ts`):
   * a number after `####` (GSM8K), a `\boxed{}` answer (MATH, AIME, generic) or an option's letter.
   */
  answerStyle?: AnswerStyle;
  /** Set for mull's own tasks, whose exact checkers then judge correctness. */
  task?: TaskName;
  /** A code problem (HumanEval format): graded by running its tests on the answer's program in the sandbox. */
  code?: { test: string; entryPoint: string };
  /** A multiple-choice item's options, in letter order: answers are read through them (a letter, or an option's text). */
  choices?: string[];
};

export type AnswerStyle = "number" | "boxed" | "choice" | "code";

/** A solved problem shown before each question (few-shot): its prompt as an item's, and its worked solution. */
export type WorkedExample = { prompt: string; solution: string; templated: boolean };

export type DatasetLoadResult = {
  name: string;
  items: BenchItem[];
  errors: { line: number; message: string }[];
  /** The few-shot examples, taken from the file's first records (which are then not items). */
  examples?: WorkedExample[];
};

export type DatasetOptions = {
  /** A built-in name (`arith-hard`, `countdown-medium`, `arith` for all three difficulties) or a file path. */
  dataset: string;
  /**
   * `gsm8k`, `math`, `choice` (multiple choice), `humaneval` (code, graded by running its tests in the sandbox),
   * `jsonl` or `csv`. Defaults from the file extension (`.csv` → csv, else jsonl with auto-detected fields; a record
   * with `choices` or `options` is read as multiple choice, one with `entry_point` and `test` as HumanEval).
   */
  format?: "gsm8k" | "math" | "choice" | "humaneval" | "jsonl" | "csv";
  /** Field holding the prompt, for jsonl/csv. Defaults to `question`, `problem` or `prompt`, whichever exists. */
  promptField?: string;
  /** Field holding the answer, for jsonl/csv. Defaults to `answer`. */
  answerField?: string;
  /** Wraps each prompt; `{prompt}` is replaced. Defaults to none. */
  template?: string;
  /** Most items. Defaults to all. */
  limit?: number;
  /**
   * Worked examples shown before each question: the file's first records with a worked solution (GSM8K's
   * answer, MATH's `solution`), which are then not benchmarked. Defaults to `0`.
   */
  fewShot?: number;
  /** What a malformed line does. Defaults to `"skip"` (reported, not loaded). */
  onMalformed?: "skip" | "fail";
};

export const datasetFormats: readonly string[] = ["gsm8k", "math", "choice", "humaneval", "jsonl", "csv"];

/** First problem of each split's dev part: tuning (`mull tune`) reads 300-499, evaluations the first 300. */
export const DEV_START = 300;

/**
 * mull's held-out splits: `arith`/`countdown` with `-easy`/`-medium`/`-hard` (without, all three in turn), `mixed`
 * (all six splits, interleaved), and `-dev` for each split's dev part (problems 300 to 499), kept apart from the
 * first 300 that evaluations use, so that a profile tuned on dev is evaluated on problems it never saw.
 */
function builtIn(name: string, limit: number | undefined): DatasetLoadResult | undefined {
  const match = /^(arith|countdown|mixed)(?:-(easy|medium|hard))?(-dev)?$/.exec(name);
  if (!match || (match[1] === "mixed" && match[2])) return undefined;
  const taskNames = (match[1] === "mixed" ? ["arith", "countdown"] : [match[1]]) as TaskName[];
  const difficulties = (match[2] ? [match[2]] : ["easy", "medium", "hard"]) as Difficulty[];
  const start = match[3] ? DEV_START : 0;
  const splits = taskNames.flatMap((task) => difficulties.map((difficulty) => ({ task, difficulty })));
  const perSplit = limit !== undefined ? Math.ceil(limit / splits.length) : undefined;
  const lists = splits.map(({ task, difficulty }) =>
    loadSplit({ task, difficulty })
      .slice(start, perSplit !== undefined ? start + perSplit : undefined)
      .map((problem, index) => ({
        id: `${task}-${difficulty}-${start + index}`,
        prompt: problem.prompt,
        answer: problem.answer,
        // In \`mixed\` the summary's rows are per task and difficulty.
        difficulty: match[1] === "mixed" ? `${task}-${difficulty}` : difficulty,
        task,
      })),
  );
  // `mixed` takes the splits in turn (a limit keeps every split); the others one after another, as before.
  const items = match[1] === "mixed" ? interleave(lists) : lists.flat();
  return { name, items: items.slice(0, limit ?? items.length), errors: [] };
}

/** Where the function split's dev part starts: evaluations read problems 0 to 199, tuning 200 to 299. */
const FUNCTION_DEV_START = 200;

/**
 * The chat model's held-out splits, questions for a chat model (a user message with the bench's instruction):
 * `word-easy`/`-medium`/`-hard` (a number after ####), `word-<level>-choice` (four options, a letter), and
 * `functions` (HumanEval format, graded by running hidden tests); each with `-dev` for its tuning part.
 */
function chatBuiltIn(name: string, limit: number | undefined): DatasetLoadResult | undefined {
  const word = /^word-(easy|medium|hard)(-choice)?(-dev)?$/.exec(name);
  if (word) {
    const difficulty = word[1] as Difficulty;
    const start = word[3] ? DEV_START : 0;
    const problems = loadWordSplit({ difficulty, start, limit: Math.min(limit ?? Number.POSITIVE_INFINITY, word[3] ? 200 : DEV_START) });
    const items = problems.map((problem, index): BenchItem => {
      const id = `word-${difficulty}${word[2] ? "-choice" : ""}-${start + index}`;
      if (!word[2]) return { id, prompt: problem.question, answer: problem.answer, answerStyle: "number", difficulty };
      const form = wordChoiceForm(problem, createRandom(problem.seed));
      return { id, prompt: form.prompt, answer: form.letter, answerStyle: "choice", choices: form.options, difficulty };
    });
    return { name, items, errors: [] };
  }
  const functions = /^functions(-dev)?$/.exec(name);
  if (!functions) return undefined;
  const start = functions[1] ? FUNCTION_DEV_START : 0;
  const problems = loadFunctionSplit({ start, limit: Math.min(limit ?? Number.POSITIVE_INFINITY, functions[1] ? 100 : FUNCTION_DEV_START) });
  const items = problems.map(
    (problem): BenchItem => ({
      id: problem.task_id,
      prompt: problem.prompt,
      answer: "(passes its tests)",
      answerStyle: "code",
      code: { test: problem.test, entryPoint: problem.entry_point },
      difficulty: problem.difficulty,
    }),
  );
  return { name, items, errors: [] };
}

/** A dataset mull carries, by name: its tasks' splits or the chat model's. */
function builtInDataset(name: string, limit: number | undefined): DatasetLoadResult | undefined {
  return builtIn(name, limit) ?? chatBuiltIn(name, limit);
}

function interleave<Item>(lists: Item[][]): Item[] {
  const longest = Math.max(0, ...lists.map((list) => list.length));
  return Array.from({ length: longest }, (_, index) => lists.flatMap((list): Item[] => (index < list.length ? [list[index] as Item] : []))).flat();
}

/** Splits one CSV line (RFC 4180 quoting). */
function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (quoted) {
      if (char === '"' && line[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      cells.push(cell);
      cell = "";
    } else cell += char;
  }
  if (quoted) throw new SyntaxError("unterminated quote");
  cells.push(cell);
  return cells;
}

function csvRecord(line: string, header: string[]): Record<string, unknown> {
  const cells = parseCsvLine(line);
  if (cells.length !== header.length) throw new SyntaxError(`expected ${header.length} fields, found ${cells.length}`);
  return Object.fromEntries(header.map((name, cell) => [name, cells[cell]]));
}

function jsonRecord(line: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(line);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new SyntaxError("not a JSON object");
  return parsed as Record<string, unknown>;
}

/** One record as a bench item: its prompt (templated) and its gold answer, by the dataset's format. */
function toItem(record: Record<string, unknown>, options: DatasetOptions, format: string, lineNumber: number): BenchItem {
  if (format === "humaneval" || (format === "jsonl" && typeof record.entry_point === "string" && typeof record.test === "string"))
    return codeItem(record, lineNumber);
  const promptField = options.promptField ?? ["question", "problem", "prompt"].find((field) => typeof record[field] === "string");
  const prompt = promptField ? record[promptField] : undefined;
  if (typeof prompt !== "string" || prompt.trim().length === 0)
    throw new SyntaxError(`no prompt field (${options.promptField ?? "question, problem or prompt"})`);
  const { question, answer, answerStyle, choices } = questionAndAnswer(record, options, format, prompt);
  const difficulty = difficultyOf(record);
  return {
    id: String(record.id ?? record.unique_id ?? `line-${lineNumber}`),
    prompt: options.template ? options.template.replaceAll("{prompt}", question) : question,
    ...(options.template ? { templated: true } : {}),
    answer,
    answerStyle,
    ...(choices ? { choices } : {}),
    ...(difficulty !== undefined ? { difficulty } : {}),
    ...(typeof record.subject === "string" ? { group: record.subject } : {}),
  };
}

/** A HumanEval-format record (`task_id`, `prompt`, `test` defining `check(candidate)`, `entry_point`). */
function codeItem(record: Record<string, unknown>, lineNumber: number): BenchItem {
  for (const field of ["prompt", "test", "entry_point"])
    if (typeof record[field] !== "string" || (record[field] as string).trim() === "")
      throw new SyntaxError(`no ${field} (a HumanEval-format record needs prompt, test and entry_point)`);
  return {
    id: String(record.task_id ?? record.id ?? `line-${lineNumber}`),
    prompt: record.prompt as string,
    answer: "(passes its tests)",
    answerStyle: "code",
    code: { test: record.test as string, entryPoint: record.entry_point as string },
  };
}

/** MATH's `level` (`"Level 3"`, or `3` in MATH500) or a `difficulty` field, as one label. */
function difficultyOf(record: Record<string, unknown>): string | undefined {
  const value = record.level ?? record.difficulty;
  if (typeof value === "number" && Number.isFinite(value)) return record.level !== undefined ? `Level ${value}` : String(value);
  return typeof value === "string" && value.trim().length > 0 ? value.trim() : undefined;
}

/** The question as the model sees it, the gold answer and the answer style, by the record's format. */
function questionAndAnswer(
  record: Record<string, unknown>,
  options: DatasetOptions,
  format: string,
  prompt: string,
): { question: string; answer: string; answerStyle: AnswerStyle; choices?: string[] } {
  const choices = format === "choice" || format === "jsonl" ? optionsOf(record) : undefined;
  if (format === "choice" && !choices) throw new SyntaxError("no options (a choices or options list, or an object keyed A, B, ...)");
  if (choices) {
    const chosen = multipleChoice({ question: prompt, choices, answer: record[options.answerField ?? "answer"] });
    return { question: chosen.prompt, answer: chosen.answer, answerStyle: "choice", choices };
  }
  const answer = goldAnswer(record, options, format);
  if (answer === undefined) throw new SyntaxError(`no answer (field ${options.answerField ?? "answer"}${format === "math" ? " or a \\boxed{} solution" : ""})`);
  return { question: prompt, answer, answerStyle: format === "gsm8k" || isGsm8kAnswer(record, options) ? "number" : "boxed" };
}

/** A record as a few-shot example: it needs a worked solution, not only a final answer. */
function exampleOf(record: Record<string, unknown>, item: BenchItem, options: DatasetOptions): WorkedExample {
  const raw = record[options.answerField ?? "answer"];
  const solution = typeof record.solution === "string" ? record.solution : typeof raw === "string" && raw.includes("####") ? raw : undefined;
  if (!solution) throw new SyntaxError("a few-shot example needs a worked solution (a GSM8K answer or a solution field)");
  return { prompt: item.prompt, solution: solution.trim(), templated: item.templated === true };
}

function isGsm8kAnswer(record: Record<string, unknown>, options: DatasetOptions): boolean {
  const raw = record[options.answerField ?? "answer"];
  return typeof raw === "string" && raw.includes("####");
}

function goldAnswer(record: Record<string, unknown>, options: DatasetOptions, format: string): string | undefined {
  const rawAnswer = record[options.answerField ?? "answer"];
  if (format === "gsm8k" || (format === "jsonl" && typeof rawAnswer === "string" && rawAnswer.includes("####")))
    return typeof rawAnswer === "string" ? extractAnswer(rawAnswer) : undefined;
  if (format === "math" && rawAnswer === undefined && typeof record.solution === "string") return extractAnswer(record.solution);
  return rawAnswer !== undefined && rawAnswer !== null ? normalizeAnswer(String(rawAnswer)) : undefined;
}

export function loadDataset(options: DatasetOptions): DatasetLoadResult {
  const known = builtInDataset(options.dataset, options.limit);
  if (known) return known;
  let text: string;
  try {
    // A gzipped file (HumanEval ships as .jsonl.gz) is read as its content.
    const raw = readFileSync(options.dataset);
    text = (options.dataset.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
  } catch (error) {
    throw new InvalidArgumentError({
      parameter: "dataset",
      value: options.dataset,
      message: `${JSON.stringify(options.dataset)} is neither a built-in dataset (arith, countdown, with -easy/-medium/-hard; mixed; word-easy/-medium/-hard, with -choice; functions; any of these with -dev) nor a readable file: ${(error as Error).message}`,
    });
  }
  const format = options.format ?? (options.dataset.endsWith(".csv") ? "csv" : "jsonl");
  if (!datasetFormats.includes(format))
    throw new InvalidArgumentError({ parameter: "format", value: format, message: `must be one of ${datasetFormats.join(", ")}` });
  const lines = text.split(/\r?\n/);
  const items: BenchItem[] = [];
  const examples: WorkedExample[] = [];
  const errors: { line: number; message: string }[] = [];
  let header: string[] | undefined;
  for (const [index, line] of lines.entries()) {
    if (options.limit !== undefined && items.length >= options.limit) break;
    if (line.trim().length === 0) continue;
    const lineNumber = index + 1;
    try {
      if (format === "csv" && !header) {
        header = parseCsvLine(line);
        continue;
      }
      const record = format === "csv" ? csvRecord(line, header as string[]) : jsonRecord(line);
      const item = toItem(record, options, format, lineNumber);
      if (examples.length < (options.fewShot ?? 0)) examples.push(exampleOf(record, item, options));
      else items.push(item);
    } catch (error) {
      const message = `${options.dataset}:${lineNumber}: ${(error as Error).message}`;
      if (options.onMalformed === "fail") throw new InvalidArgumentError({ parameter: "dataset", value: options.dataset, message });
      errors.push({ line: lineNumber, message });
    }
  }
  return { name: options.dataset, items, errors, ...(examples.length > 0 ? { examples } : {}) };
}
