/**
 * The answer a completion gives, found the way the field's graders find it (Math-Verify, lighteval's
 * extractive match), in this order of precedence:
 *   1. the last `#### x` line (GSM8K and mull's own tasks);
 *   2. `\boxed{}` / `\fbox{}` (nested braces): the last one, or all of them as a set where the final
 *      paragraph boxes several;
 *   3. a stated answer: "final answer is", "Final Answer:", "the answer is", "Answer:", markdown bold, with
 *      trailing words ("I hope it is correct", units) dropped, and a multiple-choice letter kept as the letter;
 *   4. the last fenced code block;
 *   5. the last math span (`$...$`, `\(...\)`, `\[...\]`), else the last number (or the relation it ends,
 *      `x \geq 5`).
 * `<think>` blocks are kept out. Unparseable output is an abstention (undefined), never an error.
 */
import { type CleanOptions, isConstant } from "./clean-answer.js";
import { findBraced } from "./find-braced.js";
import { normalizeAnswer } from "./normalize-answer.js";
import { stripReasoning } from "./strip-reasoning.js";

/** The raw answer text (before normalisation), or undefined. */
export function findAnswerText(completion: string): string | undefined {
  if (typeof completion !== "string") return undefined;
  const text = stripReasoning(completion);
  if (text.trim().length === 0) return undefined;
  return hashes(text) ?? finalAfterBoxes(text) ?? boxed(text) ?? stated(text) ?? codeBlock(text) ?? lastMath(text);
}

/** A "Final Answer" written after the last box is the answer: the boxes before it were steps. */
function finalAfterBoxes(text: string): string | undefined {
  const last = findBraced(text, ["boxed", "fbox"]).at(-1);
  if (!last) return undefined;
  const after = text.slice(last.end);
  return /final answer/i.test(after) ? stated(after) : undefined;
}

/** The normalised answer of a completion (see `normalizeAnswer`), or undefined. */
export function extractAnswer(completion: string, options: CleanOptions = {}): string | undefined {
  const found = findAnswerText(completion);
  return found === undefined ? undefined : normalizeAnswer(found, options);
}

function hashes(text: string): string | undefined {
  return [...text.matchAll(/####\s*([^\n]+)/g)].at(-1)?.[1]?.trim() || undefined;
}

function boxed(text: string): string | undefined {
  const all = findBraced(text, ["boxed", "fbox"]);
  const last = all.at(-1);
  if (!last) return undefined;
  // Several boxes in the final paragraph answer together ("\boxed{2} and \boxed{3}").
  const paragraph = text.lastIndexOf("\n\n", last.start) + 1;
  const together = all.filter((item) => item.start >= paragraph).map((item) => item.content.trim());
  const distinct = [...new Set(together)];
  return distinct.length > 1 ? distinct.join(", ") : last.content;
}

const statedPatterns = [
  /final answer(?: is)?\s*[:：]?\s*(?:the final answer is\s*)?([^\n]+)/gi,
  /(?:the |my )?answer is\s*[:：]?\s*([^\n]+)/gi,
  /(?:\banswer|\bréponse|\brespuesta)\s*[:：]\s*\**\s*([^\n]+)/gi,
];

function stated(text: string): string | undefined {
  for (const pattern of statedPatterns) {
    const match = [...text.matchAll(pattern)].at(-1)?.[1];
    if (match) {
      const answer = trimStatement(match);
      if (answer) return answer;
    }
  }
  const bold = [...text.matchAll(/\*\*([^*\n]+)\*\*\s*\.?\s*$/g)].at(-1)?.[1];
  return bold?.trim() || undefined;
}

/**
 * The answer part of a statement: a letter choice alone, without "I hope it is correct" or a closing sentence;
 * in a sentence that says it in words ("The total number of ways is $42$"), its last math span, or what follows
 * its last "is".
 */
function trimStatement(statement: string): string | undefined {
  // An escaped dollar is a currency sign inside the answer (`$\$32,\!348$`), not a math delimiter.
  let value = statement
    .replace(/\bI hope it is correct\.?/i, "")
    .replace(/\\\$/g, "")
    .replace(/^[\s*:]+|[\s*]+$/g, "");
  const choice = /^\(?([A-E])\)?(?:[.:)\s]|$)/.exec(value);
  if (choice?.[1] && !/^[A-E]\s*[=+\-*/^]/.test(value)) return choice[1];
  // Up to the end of the sentence: a full stop followed by a space and more words, outside math.
  if (!/\$/.test(value)) value = value.replace(/\.\s+[A-Z].*$/, "");
  value = value.replace(/^["“](.*)["”]\.?$/, "$1");
  // Answers in several math spans joined by words (`$12$ and $13$`) are one list.
  if (/^\$[^$]+\$(?:\s*(?:,|and|or|, and)\s*\$[^$]+\$)+$/.test(value)) return value.replace(/\$/g, "").replace(/\s+/g, " ").trim();
  const math = /^\$([^$]+)\$/.exec(value) ?? /^\\\((.+?)\\\)/.exec(value);
  if (math?.[1]) return math[1];
  const sentence = value.replace(/[.;]\s*$/, "");
  // "The largest $n$ is 34", "The value we are looking for is $42$": what follows the verb that is followed by math.
  const subject = /^[A-Z](?:[A-Za-z' ,()-]|\$[^$]*\$)*$/;
  const verbs = [...sentence.matchAll(/\s(?:is|are|equals|was|will be)\s+/g)].filter((verb) => subject.test(sentence.slice(0, verb.index)));
  for (const verb of verbs) {
    const predicate = trimPredicate(sentence.slice((verb.index ?? 0) + verb[0].length));
    if (predicate) return predicate;
  }
  const spans = [...value.matchAll(/\$([^$]+)\$|\\\((.+?)\\\)/g)];
  const lastSpan = spans.at(-1);
  if (lastSpan && /^[A-Za-z]/.test(value)) return (lastSpan[1] ?? lastSpan[2] ?? "").trim() || undefined;
  // A sentence in words with numbers ("Jane started growing Sphere 3 hours ago"): its first number, as Math-Verify reads it.
  const inWords = /^[A-Z][a-z]+\s/.test(sentence) && !/[=\\]/.test(sentence) ? [...sentence.matchAll(lastNumberPattern)][0]?.[0] : undefined;
  if (inWords) return inWords;
  // "The fastest runner is Evelyn": the words after the verb.
  const first = verbs[0];
  return (first ? sentence.slice((first.index ?? 0) + first[0].length) : sentence).trim() || undefined;
}

/** What follows "is": its math span (`$42$`, `$42$, which is less than 50`), its spans as a list (`$1$ and $2$`), or its words. */
function trimPredicate(predicate: string): string | undefined {
  const text = predicate.trim();
  const span = /^\$([^$]+)\$[^$]*$/.exec(text) ?? /^\\\((.+?)\\\)[^$]*$/.exec(text);
  if (span?.[1]) return span[1].trim();
  if (!/^[-+$([\\\d]/.test(text)) return undefined;
  return text.replace(/\$/g, "").trim() || undefined;
}

function codeBlock(text: string): string | undefined {
  const code = [...text.matchAll(/```[\w-]*\n([\s\S]*?)```/g)].at(-1);
  return code?.[1] !== undefined ? code[1].trim() || undefined : undefined;
}

const lastNumberPattern =
  /(?<![A-Za-z\d./])(?:-?\d{1,3}(?:[ \u00a0]\d{3})*[ \u00a0]\d+\/\d+(?![\d/.])|-?\\[dtc]?frac\{-?\d+(?:\.\d+)?\}\{\d+(?:\.\d+)?\}|-?\d{1,3}(?:[ \u00a0]\d{3})+(?![\d.,])|-?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:\/\d+)?)/g;

/** A reply that is one line of arithmetic on numbers (`11 + 4/9`), read whole, as Math-Verify's expression parser does. */
const arithmetic = /^[-+(]*\d[\d.,]*(?:\s*[-+*×÷/^]\s*\(*\d[\d.,]*\)*)+\s*$/;

function lastMath(completion: string): string | undefined {
  if (arithmetic.test(completion.trim())) return completion.trim();
  // An escaped dollar is a currency sign, not a math delimiter.
  const text = completion.replace(/\\\$/g, " ");
  const spans = [...text.matchAll(/\$\$([^$]+)\$\$|\$([^$]+)\$|\\\((.+?)\\\)|\\\[([\s\S]+?)\\\]/g)];
  const span = spans.at(-1);
  // A number right after letters (`AZYUK3A`) is part of a word; one before them has a unit (`5m`). A number is also a
  // bare LaTeX fraction (`\frac{10}{9}`), thousands in groups of three after spaces (`1 000`), or a decimal without
  // its leading zero (`.4`).
  const lastNumber = [...text.matchAll(lastNumberPattern)].at(-1);
  const content = (span?.[1] ?? span?.[2] ?? span?.[3] ?? span?.[4] ?? "").trim();
  // Words between two dollar signs (`how many $? just about 1$`) are prose around currency signs, not math.
  const prose = /(?<!\\)\b[A-Za-z]{2,}\s+[A-Za-z]{2,}\b/.test(content.replace(/\\[A-Za-z]+(?:\{[^{}]*\})?/g, " "));
  // A number after the last math span is the later statement.
  if (span && !(prose && lastNumber) && (!lastNumber || (lastNumber.index ?? 0) < (span.index ?? 0) + span[0].length)) {
    // A computation that ends in its result (`2 + 5 = 7`) gives the result; an equation or a named value
    // (`5x - 7y = 0`, `x = 3`) stays whole, for the answer's cleaning to read.
    const members = content.split(/(?<![<>!\\])=(?!=)/);
    const computed = members.length > 1 && members.every(isConstant);
    return (computed ? members.at(-1)?.trim() : content) || undefined;
  }
  if (!lastNumber) return undefined;
  // `x \geq 5`: the number closes a relation, which is the answer.
  const before = text.slice(0, lastNumber.index ?? 0);
  const relation = /([A-Za-z]\s*(?:\\geq|\\leq|\\ge|\\le|\\neq|>=|<=|[<>≥≤])\s*)$/.exec(before);
  return relation?.[1] ? `${relation[1]}${lastNumber[0]}` : lastNumber[0];
}
