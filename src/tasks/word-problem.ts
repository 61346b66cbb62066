/**
 * Multi-step word problems (GSM8K-like) for the bundled chat model: one person's count of one kind of thing
 * changes sentence by sentence, and the question asks for it at the end (or for its price). Each problem
 * carries its structure, so every chat task and role is labelled from it exactly: the step-by-step
 * arithmetic, a program, sub-questions and their contractions (Atom of Thoughts), constraints (PlanGEN).
 */
import { createRandom, type Random } from "../internal/seeded-random.js";
import type { Difficulty } from "./task.js";

/** One sentence of a problem and the arithmetic it asks for: `lines` are `a op b=c` steps, the last one giving `after`. */
export type WordStep = {
  sentence: string;
  /** `after <clause>`, for a sub-question: "after buying 7 more". */
  clause: string;
  /** The sentence's change as a Python statement on `total`. */
  statement: string;
  /** The change as an expression of the count before it (`x` stands for that count). */
  expression: string;
  lines: string[];
  before: number;
  after: number;
};

export type WordProblem = {
  task: "word";
  seed: number;
  difficulty: Difficulty;
  /** The whole problem text, question included. */
  question: string;
  answer: string;
  name: string;
  pronoun: string;
  items: string;
  start: number;
  steps: WordStep[];
  /** The question sentence. */
  ask: string;
  /** A price per item, when the question asks for money instead of a count. */
  price?: { each: number; sentence: string; line: string };
};

const people: readonly [string, "He" | "She"][] = [
  ["Tom", "He"],
  ["Ana", "She"],
  ["Ravi", "He"],
  ["Mia", "She"],
  ["Leo", "He"],
  ["Sara", "She"],
  ["Omar", "He"],
  ["Nina", "She"],
  ["Ben", "He"],
  ["Lucy", "She"],
  ["Ivan", "He"],
  ["Zoe", "She"],
  ["Sam", "He"],
  ["Emma", "She"],
  ["Jack", "He"],
  ["Ella", "She"],
  ["Noah", "He"],
  ["Ruby", "She"],
  ["Kai", "He"],
  ["Lily", "She"],
  ["Paul", "He"],
  ["Maya", "She"],
  ["Hugo", "He"],
  ["Iris", "She"],
];
const friends = ["his sister", "her brother", "a friend", "a neighbor", "his cousin", "her cousin", "the school", "a classmate"];
const things = [
  "apples",
  "stickers",
  "marbles",
  "cards",
  "coins",
  "books",
  "pencils",
  "stamps",
  "shells",
  "cookies",
  "beads",
  "toy cars",
  "eggs",
  "flowers",
  "candles",
  "buttons",
  "rocks",
  "balloons",
];
const containers = ["boxes", "bags", "packs", "jars", "baskets", "crates"];

/** What each level draws: sentences after the first, operand sizes, whether the question may ask for money. */
export const wordLevels = {
  easy: { steps: [1, 2], maxOperand: 20, multiply: 0.2, price: 0 },
  medium: { steps: [3, 4], maxOperand: 40, multiply: 0.45, price: 0.15 },
  hard: { steps: [5, 7], maxOperand: 60, multiply: 0.6, price: 0.3 },
} as const;

type Draw = { random: Random; count: number; max: number; pronoun: string; items: string; multiply: number };

function line(a: number, op: string, b: number): { text: string; value: number } {
  const value = op === "+" ? a + b : op === "-" ? a - b : op === "*" ? a * b : a / b;
  return { text: `${a}${op}${b}=${value}`, value };
}

type StepParts = { sentence: string; clause: string; change: string; lines: { text: string; value: number }[] };

const gerunds: Record<string, string> = { buys: "buying", gets: "getting", "is given": "being given", loses: "losing", sells: "selling", uses: "using" };
const multiples: Record<number, string> = { 2: "doubles", 3: "triples" };

/** A sentence that adds or takes away `b` (kinds buy, find, give, lose); undefined where it would leave nothing. */
function additiveStep(draw: Draw, kind: string, b: number): StepParts | undefined {
  const { random, count, pronoun, items } = draw;
  if (kind === "buy") {
    const verb = random.pick(["buys", "gets", "is given"]);
    return { sentence: `${pronoun} ${verb} ${b} more ${items}.`, clause: `after ${gerunds[verb]} ${b} more`, change: `+ ${b}`, lines: [line(count, "+", b)] };
  }
  if (kind === "find") return { sentence: `${pronoun} finds ${b} ${items}.`, clause: `after finding ${b}`, change: `+ ${b}`, lines: [line(count, "+", b)] };
  if (b >= count) return undefined;
  if (kind === "give") {
    const friend = random.pick(friends).replace(/^(his|her) /, `${pronoun === "He" ? "his" : "her"} `);
    return { sentence: `${pronoun} gives ${b} ${items} to ${friend}.`, clause: `after giving ${b} away`, change: `- ${b}`, lines: [line(count, "-", b)] };
  }
  const verb = random.pick(["loses", "sells", "uses"]);
  return { sentence: `${pronoun} ${verb} ${b} of the ${items}.`, clause: `after ${gerunds[verb]} ${b}`, change: `- ${b}`, lines: [line(count, "-", b)] };
}

/** A sentence with a product (kinds boxes, each-friend, times, share); undefined where it does not fit the count. */
function multiplicativeStep(draw: Draw, kind: string): StepParts | undefined {
  const { random, count, max, pronoun, items } = draw;
  if (kind === "boxes") {
    const boxes = random.integer(2, 9);
    const each = random.integer(2, Math.min(max, 25));
    const container = random.pick(containers);
    const product = line(boxes, "*", each);
    return {
      sentence: `${pronoun} buys ${boxes} ${container} with ${each} ${items} in each.`,
      clause: `after buying ${boxes} ${container} of ${each}`,
      change: `+ ${boxes} * ${each}`,
      lines: [product, line(count, "+", product.value)],
    };
  }
  if (kind === "each-friend") {
    const people = random.integer(2, 6);
    const each = random.integer(2, 12);
    if (people * each >= count) return undefined;
    const product = line(people, "*", each);
    return {
      sentence: `${pronoun} gives ${each} ${items} to each of ${people} friends.`,
      clause: `after giving ${each} to each of ${people} friends`,
      change: `- ${people} * ${each}`,
      lines: [product, line(count, "-", product.value)],
    };
  }
  if (kind === "times") {
    const factor = random.integer(2, count > 100 ? 3 : 5);
    return {
      sentence: `The number of ${items} ${pronoun.toLowerCase()} has ${multiples[factor] ?? `grows to ${factor} times as many`}.`,
      clause: `after it ${multiples[factor] ?? `grows ${factor} times`}`,
      change: `* ${factor}`,
      lines: [line(count, "*", factor)],
    };
  }
  const parts = random.pick([2, 2, 3, 4, 5]);
  if (count % parts !== 0 || count < parts * 2) return undefined;
  return {
    sentence: `${pronoun} splits the ${items} into ${parts} equal groups and keeps one group.`,
    clause: `after keeping one of ${parts} equal groups`,
    change: `// ${parts}`,
    lines: [line(count, "/", parts)],
  };
}

/** One sentence changing `count`, or undefined when the drawn kind does not fit it (the caller draws again). */
function drawStep(draw: Draw): WordStep | undefined {
  const { random, count, max } = draw;
  const scaled = random.next() < draw.multiply;
  const kind = scaled ? random.pick(["boxes", "each-friend", "times", "share"]) : random.pick(["buy", "give", "find", "lose"]);
  // Drawn for every kind (the splits depend on the order of draws), used by the additive ones.
  const b = random.integer(2, max);
  const parts = scaled ? multiplicativeStep(draw, kind) : additiveStep(draw, kind, b);
  if (!parts) return undefined;
  return {
    sentence: parts.sentence,
    clause: parts.clause,
    statement: `total = total ${parts.change}`,
    expression: `x ${parts.change}`,
    lines: parts.lines.map((item) => item.text),
    before: count,
    after: parts.lines.at(-1)?.value ?? count,
  };
}

/** One word problem; the same seed and difficulty always give the same problem. */
export function generateWordProblem(options: { seed: number; difficulty: Difficulty }): WordProblem {
  const { seed, difficulty } = options;
  const level = wordLevels[difficulty];
  const random = createRandom(seed ^ 0x2c1b3c6d);
  const [name, pronoun] = random.pick(people);
  const items = random.pick(things);
  const start = random.integer(5, level.maxOperand + 20);
  const stepCount = random.integer(level.steps[0], level.steps[1]);
  const steps: WordStep[] = [];
  let count = start;
  for (let attempt = 0; steps.length < stepCount && attempt < 200; attempt++) {
    const step = drawStep({ random, count, max: level.maxOperand, pronoun, items, multiply: level.multiply });
    if (!step || step.after <= 0 || step.after > 5000) continue;
    steps.push(step);
    count = step.after;
  }
  const opening = `${name} has ${start} ${items}.`;
  let ask = random.pick([
    `How many ${items} does ${name} have now?`,
    `How many ${items} does ${name} have at the end?`,
    `How many ${items} does ${name} have left?`,
  ]);
  let answer = count;
  let price: WordProblem["price"];
  if (random.next() < level.price && count <= 400) {
    const each = random.integer(2, 9);
    const sentence = `Each of the ${items} sells for ${each} dollars.`;
    ask = `How many dollars does ${name} get for selling all of them?`;
    const priced = line(count, "*", each);
    price = { each, sentence, line: priced.text };
    answer = priced.value;
  }
  const question = [opening, ...steps.map((step) => step.sentence), ...(price ? [price.sentence] : []), ask].join(" ");
  return { task: "word", seed, difficulty, question, answer: String(answer), name, pronoun, items, start, steps, ask, ...(price ? { price } : {}) };
}

/** Every `a op b=c` line of the problem's solution, in order. */
export function wordSolutionLines(problem: WordProblem): string[] {
  return [...problem.steps.flatMap((step) => step.lines), ...(problem.price ? [problem.price.line] : [])];
}

/** The whole computation as one expression (what a calculator call or a one-line program computes). */
export function wordExpression(problem: WordProblem): string {
  let expression = String(problem.start);
  for (const step of problem.steps) {
    const scales = /^x (\*|\/\/) /.test(step.expression);
    // A sum or difference so far is bracketed before it is scaled; a product needs no brackets.
    const operand = scales && /[-+]/.test(expression) ? `(${expression})` : expression;
    expression = step.expression.replace("x", operand);
  }
  if (!problem.price) return expression;
  return `${/[-+]/.test(expression) ? `(${expression})` : expression} * ${problem.price.each}`;
}

/** A program that prints the answer, one statement per sentence. */
export function wordProgram(problem: WordProblem): string {
  const variable = problem.items.replace(/ /g, "_");
  const statements = [`${variable} = ${problem.start}`, ...problem.steps.map((step) => step.statement.replace(/total/g, variable))];
  if (problem.price) statements.push(`price = ${problem.price.each}`, `print(${variable} * price)`);
  else statements.push(`print(${variable})`);
  return statements.join("\n");
}

/**
 * The sub-questions of Atom of Thoughts' decomposition: one per sentence (the count after it), each needing the
 * one before; the last is the question itself.
 */
export function wordSubQuestions(problem: WordProblem): string[] {
  const questions = problem.steps.map((step) => `How many ${problem.items} does ${problem.name} have ${step.clause}?`);
  if (problem.price) questions.push(problem.ask);
  return questions;
}

/**
 * The problem contracted after its first `solved` sentences: the count they lead to stated as given, the rest as
 * it was (Atom of Thoughts' contraction).
 */
export function contractWordProblem(problem: WordProblem, solved: number): string {
  const count = solved === 0 ? problem.start : (problem.steps[solved - 1]?.after ?? problem.start);
  const rest = problem.steps.slice(solved).map((step) => step.sentence);
  return [`${problem.name} has ${count} ${problem.items}.`, ...rest, ...(problem.price ? [problem.price.sentence] : []), problem.ask].join(" ");
}

/** Three wrong answers a solver plausibly reaches (a skipped step, an off-by-ten, a slip), distinct from the answer and each other. */
export function wordDistractors(problem: WordProblem, random: Random): string[] {
  const answer = Number(problem.answer);
  const last = problem.steps.at(-1);
  const candidates = [
    last ? (problem.price ? last.before * problem.price.each : last.before) : answer + 1,
    answer + 10,
    answer - 10,
    answer + random.pick([1, 2, 3]),
    answer - random.pick([1, 2, 3]),
    problem.price ? answer / problem.price.each : answer * 2,
    Number(String(answer).split("").reverse().join("")),
  ];
  const out: string[] = [];
  for (const value of random.shuffle(candidates)) {
    if (Number.isInteger(value) && value > 0 && value !== answer && !out.includes(String(value))) out.push(String(value));
    if (out.length === 3) break;
  }
  for (let extra = 11; out.length < 3; extra++) if (!out.includes(String(answer + extra))) out.push(String(answer + extra));
  return out;
}

/** The multiple-choice form of a problem: its answer and three distractors in random order, lettered `A)` to `D)`. */
export function wordChoiceForm(problem: WordProblem, random: Random): { prompt: string; letter: string; options: string[] } {
  const options = random.shuffle([problem.answer, ...wordDistractors(problem, random)]);
  const letter = "ABCD"[options.indexOf(problem.answer)] as string;
  return { prompt: `${problem.question}\n\n${options.map((option, index) => `${"ABCD"[index]}) ${option}`).join("\n")}`, letter, options };
}

/** Fixed held-out splits of 500 problems per level; training data excludes every one of their questions. */
const splitSeedBase: Record<Difficulty, number> = { easy: 9_700_000, medium: 9_800_000, hard: 9_900_000 };

const splitCache = new Map<Difficulty, WordProblem[]>();

export function loadWordSplit(options: { difficulty: Difficulty; limit?: number; start?: number }): WordProblem[] {
  const { difficulty } = options;
  if (!(difficulty in wordLevels)) throw new RangeError(`unknown difficulty ${JSON.stringify(difficulty)}: use easy, medium or hard`);
  let problems = splitCache.get(difficulty);
  if (!problems) {
    problems = Array.from({ length: 500 }, (_, index) => generateWordProblem({ seed: splitSeedBase[difficulty] + index, difficulty }));
    splitCache.set(difficulty, problems);
  }
  const start = options.start ?? 0;
  return problems.slice(start, options.limit !== undefined ? start + options.limit : undefined);
}
