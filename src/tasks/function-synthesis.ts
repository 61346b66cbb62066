/**
 * Function synthesis in HumanEval's format (a signature and a docstring with `>>>` examples; hidden tests in a
 * `check(candidate)`), from families of small list, string and number functions, for the bundled chat model.
 * Each family has its behaviour in TypeScript, which computes every example and test: the one source of truth.
 */
import { createRandom, type Random } from "../internal/seeded-random.js";
import type { Difficulty } from "./task.js";

export type FunctionProblem = {
  task_id: string;
  /** The signature and docstring, as HumanEval's `prompt`. */
  prompt: string;
  /** A reference body (after the prompt), as HumanEval's `canonical_solution`. */
  canonical_solution: string;
  /** `def check(candidate): ...` with hidden asserts, as HumanEval's `test`. */
  test: string;
  entry_point: string;
  difficulty: Difficulty;
  /** The family it comes from, for reports. */
  family: string;
};

type Value = number | string | boolean | Value[];

type Family = {
  name: string;
  difficulty: Difficulty;
  /** Draws the family's constant (a threshold, a letter), if it has one. */
  constant?: (random: Random) => number | string;
  entry: (constant: number | string | undefined) => string;
  signature: string;
  doc: (constant: number | string | undefined) => string;
  /** Reference bodies (several ways to write it); `{k}` is the constant. */
  bodies: string[];
  input: (random: Random) => Value[];
  compute: (args: Value[], constant: number | string | undefined) => Value;
};

const numbers = (random: Random, min = -9, max = 20) => Array.from({ length: random.integer(0, 7) }, () => random.integer(min, max));
const words = ["cat", "dog", "sun", "tree", "blue", "apple", "hello", "stone", "river", "moon", "code", "level", "noon", "book", "red", "sky"];
const text = (random: Random) =>
  Array.from({ length: random.integer(1, 4) }, () => random.pick(words))
    .join(" ")
    .replace(/^./, (first) => (random.next() < 0.3 ? first.toUpperCase() : first));

const filters: { key: string; phrase: (k: number) => string; test: (x: number, k: number) => boolean; code: string; constant?: boolean }[] = [
  { key: "even", phrase: () => "the even numbers", test: (x) => x % 2 === 0, code: "x % 2 == 0" },
  { key: "odd", phrase: () => "the odd numbers", test: (x) => Math.abs(x % 2) === 1, code: "x % 2 == 1" },
  { key: "positive", phrase: () => "the positive numbers", test: (x) => x > 0, code: "x > 0" },
  { key: "above", phrase: (k) => `the numbers greater than ${k}`, test: (x, k) => x > k, code: "x > {k}", constant: true },
  { key: "below", phrase: (k) => `the numbers less than ${k}`, test: (x, k) => x < k, code: "x < {k}", constant: true },
  { key: "multiple", phrase: (k) => `the multiples of ${k}`, test: (x, k) => x % k === 0, code: "x % {k} == 0", constant: true },
];

const aggregates: {
  key: string;
  difficulty: Difficulty;
  returns: string;
  doc: (phrase: string) => string;
  bodies: (condition: string) => string[];
  compute: (kept: number[]) => Value;
}[] = [
  {
    key: "sum",
    difficulty: "easy",
    returns: "int",
    doc: (phrase) => `Return the sum of ${phrase} in the list.`,
    bodies: (condition) => [
      `    return sum(x for x in numbers if ${condition})`,
      `    total = 0\n    for x in numbers:\n        if ${condition}:\n            total += x\n    return total`,
    ],
    compute: (kept) => kept.reduce((a, b) => a + b, 0),
  },
  {
    key: "count",
    difficulty: "easy",
    returns: "int",
    doc: (phrase) => `Return how many of ${phrase.replace(/^the /, "the ")} are in the list.`,
    bodies: (condition) => [
      `    return len([x for x in numbers if ${condition}])`,
      `    count = 0\n    for x in numbers:\n        if ${condition}:\n            count += 1\n    return count`,
    ],
    compute: (kept) => kept.length,
  },
  {
    key: "keep",
    difficulty: "medium",
    returns: "list",
    doc: (phrase) => `Return a list of ${phrase} in the list, in their order.`,
    bodies: (condition) => [
      `    return [x for x in numbers if ${condition}]`,
      `    result = []\n    for x in numbers:\n        if ${condition}:\n            result.append(x)\n    return result`,
    ],
    compute: (kept) => kept,
  },
  {
    key: "largest",
    difficulty: "hard",
    returns: "int",
    doc: (phrase) => `Return the largest of ${phrase} in the list, or 0 if there are none.`,
    bodies: (condition) => [
      `    kept = [x for x in numbers if ${condition}]\n    return max(kept) if kept else 0`,
      `    best = None\n    for x in numbers:\n        if ${condition} and (best is None or x > best):\n            best = x\n    return 0 if best is None else best`,
    ],
    compute: (kept) => (kept.length ? Math.max(...kept) : 0),
  },
  {
    key: "squares",
    difficulty: "hard",
    returns: "int",
    doc: (phrase) => `Return the sum of the squares of ${phrase} in the list.`,
    bodies: (condition) => [
      `    return sum(x * x for x in numbers if ${condition})`,
      `    total = 0\n    for x in numbers:\n        if ${condition}:\n            total += x * x\n    return total`,
    ],
    compute: (kept) => kept.reduce((a, b) => a + b * b, 0),
  },
];

const listFamilies: Family[] = filters.flatMap((filter) =>
  aggregates.map((aggregate): Family => {
    const name = (k: number | string | undefined) => `${aggregate.key}_${filter.key}${filter.constant ? `_${k}` : ""}`;
    return {
      name: `${aggregate.key}-${filter.key}`,
      difficulty: aggregate.difficulty,
      ...(filter.constant ? { constant: (random: Random) => random.integer(2, filter.key === "multiple" ? 5 : 9) } : {}),
      entry: name,
      signature: `(numbers: list) -> ${aggregate.returns}`,
      doc: (k) => aggregate.doc(filter.phrase(Number(k))),
      bodies: aggregate.bodies(filter.code),
      input: (random) => [numbers(random)],
      compute: ([list], k) => aggregate.compute((list as number[]).filter((x) => filter.test(x, Number(k)))),
    };
  }),
);

const maps: { key: string; phrase: (k: number) => string; code: string; apply: (x: number, k: number) => number; constant?: boolean }[] = [
  { key: "double", phrase: () => "doubled", code: "x * 2", apply: (x) => x * 2 },
  { key: "square", phrase: () => "squared", code: "x * x", apply: (x) => x * x },
  { key: "add", phrase: (k) => `plus ${k}`, code: "x + {k}", apply: (x, k) => x + k, constant: true },
  { key: "times", phrase: (k) => `times ${k}`, code: "x * {k}", apply: (x, k) => x * k, constant: true },
  { key: "negate", phrase: () => "negated", code: "-x", apply: (x) => -x },
];

const mapFamilies: Family[] = maps.map((map) => ({
  name: `map-${map.key}`,
  difficulty: "easy",
  ...(map.constant ? { constant: (random: Random) => random.integer(2, 9) } : {}),
  entry: (k) => `${map.key}_all${map.constant ? `_${k}` : ""}`,
  signature: "(numbers: list) -> list",
  doc: (k) => `Return a new list with every number ${map.phrase(Number(k))}.`,
  bodies: [`    return [${map.code} for x in numbers]`, `    result = []\n    for x in numbers:\n        result.append(${map.code})\n    return result`],
  input: (random) => [numbers(random)],
  compute: ([list], k) => (list as number[]).map((x) => map.apply(x, Number(k))),
}));

const vowels = new Set("aeiouAEIOU");
const stringFamilies: Family[] = [
  {
    name: "count-vowels",
    difficulty: "easy",
    entry: () => "count_vowels",
    signature: "(text: str) -> int",
    doc: () => "Return how many vowels (a, e, i, o, u, in either case) the text has.",
    bodies: [
      '    return sum(1 for c in text if c in "aeiouAEIOU")',
      '    count = 0\n    for c in text:\n        if c in "aeiouAEIOU":\n            count += 1\n    return count',
    ],
    input: (random) => [text(random)],
    compute: ([value]) => [...String(value)].filter((c) => vowels.has(c)).length,
  },
  {
    name: "count-letter",
    difficulty: "easy",
    constant: (random) => random.pick([..."aeilnorst"]),
    entry: (k) => `count_${k}`,
    signature: "(text: str) -> int",
    doc: (k) => `Return how many times the letter "${k}" appears in the text.`,
    bodies: ['    return text.count("{k}")', '    count = 0\n    for c in text:\n        if c == "{k}":\n            count += 1\n    return count'],
    input: (random) => [text(random)],
    compute: ([value], k) => [...String(value)].filter((c) => c === k).length,
  },
  {
    name: "reverse-words",
    difficulty: "medium",
    entry: () => "reverse_words",
    signature: "(text: str) -> str",
    doc: () => "Return the words of the text in reverse order, joined by single spaces.",
    bodies: ['    return " ".join(text.split()[::-1])', '    words = text.split()\n    words.reverse()\n    return " ".join(words)'],
    input: (random) => [text(random)],
    compute: ([value]) => String(value).split(/\s+/).filter(Boolean).reverse().join(" "),
  },
  {
    name: "longest-word",
    difficulty: "hard",
    entry: () => "longest_word",
    signature: "(text: str) -> str",
    doc: () => "Return the longest word of the text (the first one if several are as long).",
    bodies: [
      "    best = ''\n    for word in text.split():\n        if len(word) > len(best):\n            best = word\n    return best",
      "    words = text.split()\n    return max(words, key=len) if words else ''",
    ],
    input: (random) => [text(random)],
    compute: ([value]) =>
      String(value)
        .split(/\s+/)
        .filter(Boolean)
        .reduce((best, word) => (word.length > best.length ? word : best), ""),
  },
  {
    name: "is-palindrome",
    difficulty: "medium",
    entry: () => "is_palindrome",
    signature: "(text: str) -> bool",
    doc: () => "Return True if the text reads the same backwards, else False.",
    bodies: [
      "    return text == text[::-1]",
      "    for i in range(len(text) // 2):\n        if text[i] != text[-1 - i]:\n            return False\n    return True",
    ],
    input: (random) => [random.next() < 0.5 ? random.pick(["level", "noon", "abba", "racecar", "a", "abcba", "xyzzyx"]) : random.pick(words)],
    compute: ([value]) => String(value) === [...String(value)].reverse().join(""),
  },
  {
    name: "capitalize-words",
    difficulty: "hard",
    entry: () => "capitalize_words",
    signature: "(text: str) -> str",
    doc: () => "Return the text with the first letter of every word in upper case, words joined by single spaces.",
    bodies: [
      '    return " ".join(word[0].upper() + word[1:] for word in text.split())',
      '    words = []\n    for word in text.split():\n        words.append(word[0].upper() + word[1:])\n    return " ".join(words)',
    ],
    input: (random) => [text(random)],
    compute: ([value]) =>
      String(value)
        .split(/\s+/)
        .filter(Boolean)
        .map((word) => word[0]?.toUpperCase() + word.slice(1))
        .join(" "),
  },
  {
    name: "digit-sum",
    difficulty: "medium",
    entry: () => "digit_sum",
    signature: "(n: int) -> int",
    doc: () => "Return the sum of the decimal digits of the non-negative integer n.",
    bodies: ["    return sum(int(d) for d in str(n))", "    total = 0\n    while n > 0:\n        total += n % 10\n        n //= 10\n    return total"],
    input: (random) => [random.integer(0, 99999)],
    compute: ([value]) => [...String(value)].reduce((a, d) => a + Number(d), 0),
  },
];

/** Every family, listed once. */
export const functionFamilies: readonly Family[] = [...listFamilies, ...mapFamilies, ...stringFamilies];

/** A value written as Python writes it. */
export function pythonLiteral(value: Value): string {
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(", ")}]`;
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string") return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  return String(value);
}

/** One problem: a family, its constant, two `>>>` examples and six hidden tests (drawn apart from the examples). */
export function generateFunctionProblem(options: { seed: number; family?: string }): FunctionProblem {
  const random = createRandom(options.seed ^ 0x7f4a7c15);
  const family = options.family ? functionFamilies.find((candidate) => candidate.name === options.family) : random.pick(functionFamilies);
  if (!family) throw new RangeError(`unknown function family ${JSON.stringify(options.family)}`);
  const constant = family.constant?.(random);
  const entry = family.entry(constant);
  const call = (args: Value[]) => `${entry}(${args.map(pythonLiteral).join(", ")})`;
  const examples = [family.input(random), family.input(random)];
  const docLines = [family.doc(constant), ...examples.flatMap((args) => [`>>> ${call(args)}`, pythonLiteral(family.compute(args, constant))])];
  const prompt = `def ${entry}${family.signature.replace(/^\(/, "(")}:\n    """${docLines.join("\n    ")}\n    """\n`;
  const tests = Array.from({ length: 6 }, () => family.input(random));
  const test = `def check(candidate):\n${tests.map((args) => `    assert candidate(${args.map(pythonLiteral).join(", ")}) == ${pythonLiteral(family.compute(args, constant))}`).join("\n")}\n`;
  const body = random.pick(family.bodies).replaceAll("{k}", String(constant ?? ""));
  return {
    task_id: `mull/${family.name}/${options.seed}`,
    prompt,
    canonical_solution: `${body}\n`,
    test,
    entry_point: entry,
    difficulty: family.difficulty,
    family: family.name,
  };
}

/** The held-out split: 300 problems from fixed seeds; training data excludes every one of their prompts. */
export function loadFunctionSplit(options: { limit?: number; start?: number } = {}): FunctionProblem[] {
  const start = options.start ?? 0;
  const end = options.limit !== undefined ? start + options.limit : 300;
  return Array.from({ length: Math.max(0, Math.min(300, end) - start) }, (_, index) => generateFunctionProblem({ seed: 8_800_000 + start + index }));
}
