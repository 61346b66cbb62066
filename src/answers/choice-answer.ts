/**
 * The option a completion chose among lettered options (A, B, ...), read the ways models write it: `B`, `(B)`,
 * `B)`, `**B**`, `\boxed{B}`, "option B", "The correct answer is B: 12", a letter inside the final sentence, or the
 * option's text instead of its letter. Two different letters in the answer are no answer (graded wrong, never the
 * first match), and a letter that names no option is none either.
 */
import { answersEquivalent } from "./answers-equivalent.js";
import { findAnswerText } from "./extract-answer.js";
import { stripReasoning } from "./strip-reasoning.js";

const letters = "ABCDEFGHIJ";

/** The chosen option's letter, or undefined (no choice, an ambiguous one, or a letter past the options). */
export function extractChoice(completion: string, options: readonly string[]): string | undefined {
  if (typeof completion !== "string" || options.length === 0) return undefined;
  const text = stripReasoning(completion);
  const valid = letters.slice(0, options.length);
  // The last line stating an answer is read whole, so that "Answer: B and C" is two letters, not B.
  const statement = [...text.matchAll(/(?:\b(?:answer|option|choice|réponse|respuesta|antwort)(?:\s+(?:is|est|es|ist))?|答案是?)\s*[:：]?\s*([^\n]+)/gi)].at(
    -1,
  )?.[1];
  const stated = statement === undefined ? undefined : (letterIn(statement, valid) ?? namedLetter(statement, valid));
  if (stated !== undefined) return stated === "" ? undefined : stated;
  // A reply that opens with its letter ("D", "D. it can't be A or B").
  const first = text.trim().split("\n")[0] ?? "";
  // The letter alone, closed by a stop or a bracket (`D.`, `B。`, `B不是 A`), or before the option's name (`C Cecile`):
  // "A cat sat" opens with an article, not an option.
  const opening = /^\**\(?[A-J]\)?\**(?:$|[.):。，]|\s+[A-Z][a-z]|[\u3040-\u9fff])/.test(first) && !/^I\s/.test(first) ? letterIn(first, valid) : undefined;
  if (opening !== undefined) return opening === "" ? undefined : opening;
  const span = findAnswerText(text);
  if (span !== undefined) {
    const chosen = letterIn(span, valid) ?? optionWithText(span, options);
    if (chosen !== undefined) return chosen === "" ? undefined : chosen;
  }
  // No stated answer: the letters the last paragraph names as a choice, where it names exactly one.
  const paragraph =
    text
      .trim()
      .split(/\n\s*\n/)
      .at(-1) ?? "";
  return single(
    // Capital letters only: "the answer is a number" names no option.
    [
      ...withoutNegated(paragraph).matchAll(
        /\b(?:[Oo]ption|[Cc]hoice|[Aa]nswer|it's|it is|go with|[Ii] (?:choose|pick|select))(?:\s+is)?\s*[:(]?\s*\(?([A-J])\b\)?|\(([A-J])\)/g,
      ),
    ].map((match) => match[1] ?? match[2] ?? ""),
    valid,
  );
}

/**
 * The letter a stated answer names: alone or bracketed (`B`, `(B)`, `B)`, `**B**`), after "option", or leading
 * the option's words (`B: 12`, `B. twelve`); `""` when it names two different letters.
 */
function letterIn(span: string, valid: string): string | undefined {
  const value = span
    .replace(/\\(?:boxed|text|textbf|mathrm)\{([^{}]*)\}/g, "$1")
    .replace(/[*$]/g, "")
    .trim();
  const lead = /^(?:(?:the\s+)?(?:correct\s+)?(?:option|choice)\s+)?\(?([A-J])\)?(?=$|[\s.:),\-。，]|[\u3040-\u9fff])/i.exec(value);
  if (!lead?.[1]) return undefined;
  const letter = lead[1].toUpperCase();
  // A lowercase single letter alone is a variable's name (`x`), not an option, unless it is written as one.
  if (lead[1] !== letter && !/^(?:option|choice|\()/i.test(value)) return undefined;
  const others = [...withoutNegated(value.slice(lead[0].length)).matchAll(/(?:\b(?:and|or)\s+|,\s*|\/\s*)\(?([A-J])\)?(?=$|[\s.,)])/g)].map(
    (match) => match[1],
  );
  if (others.some((other) => other !== letter)) return "";
  return valid.includes(letter) ? letter : "";
}

/**
 * The text without what it rules out: from a negation ("not", "can't be", "doesn't", "never", "nor", "rather than";
 * French "non", "pas"; Chinese 不是) to the end of its clause, so that "D, it can't be A or B" names D alone.
 */
function withoutNegated(text: string): string {
  return text
    .replace(/\b(?:not|\w+n't|never|cannot|nor|neither|except|rather than|instead of|non|pas|no es)\b[^,;\n]*?(?=[,;\n]|\.(?:\s|$)|$)/gi, " ")
    .replace(/(?:不是|并非)[^,;\n，。；]*/g, " ");
}

/** The one option letter a statement names anywhere, what it rules out set aside ("for sure D, it can't be A or B"). */
function namedLetter(statement: string, valid: string): string | undefined {
  const named = [...withoutNegated(statement.replace(/[*$]/g, "")).matchAll(/(?<![A-Za-z'])([A-J])(?![A-Za-z'])/g)].map((match) => match[1] ?? "");
  const distinct = [...new Set(named)];
  if (distinct.length === 0) return undefined;
  return distinct.length === 1 && valid.includes(distinct[0] as string) ? distinct[0] : "";
}

/** The letter of the one option whose text the answer is; undefined when none or several match. */
function optionWithText(span: string, options: readonly string[]): string | undefined {
  const matches = options.flatMap((option, index) =>
    option.trim().toLowerCase() === span.trim().toLowerCase() || answersEquivalent(span, option) ? [letters[index] as string] : [],
  );
  return matches.length === 1 ? matches[0] : undefined;
}

function single(found: string[], valid: string): string | undefined {
  const distinct = [...new Set(found.filter((letter) => valid.includes(letter)))];
  return distinct.length === 1 ? distinct[0] : undefined;
}
