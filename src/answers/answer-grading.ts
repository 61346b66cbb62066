/**
 * How answers are read and compared for one run or bench, where graders differ or data needs its own
 * projection: a user regex (its first group, else its whole match, is the answer), strict equations, a
 * numeric tolerance. One object, so that voting and grading read answers the same way. Patterns run on
 * RE2 (re2js): linear time whatever the pattern, so a pattern sent to the server cannot hang it; RE2 has
 * no lookaround or backreferences.
 */
import { RE2JS } from "re2js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import { answersEquivalent, type EquivalenceOptions } from "./answers-equivalent.js";
import { extractAnswer } from "./extract-answer.js";
import { normalizeAnswer } from "./normalize-answer.js";
import { stripReasoning } from "./strip-reasoning.js";

export type AnswerGradingOptions = EquivalenceOptions & {
  /**
   * A regular expression (RE2 syntax) whose last match in a completion is its answer (the first capture
   * group where it has one). Defaults to none: the standard extraction (see `extractAnswer`).
   */
  pattern?: string;
};

export type AnswerGrading = {
  extract(completion: string): string | undefined;
  /** Whether the caller gave its own extraction (a pattern), which then wins over task-specific readings. */
  custom: boolean;
  equivalent(first: string | undefined, second: string | undefined): boolean;
};

export function createAnswerGrading(options: AnswerGradingOptions = {}): AnswerGrading {
  const { pattern, ...equivalence } = options;
  if (equivalence.tolerance !== undefined && !(equivalence.tolerance >= 0 && equivalence.tolerance < 1))
    throw new InvalidArgumentError({ parameter: "tolerance", value: equivalence.tolerance, message: "must be a number from 0 to below 1" });
  const regex = pattern === undefined ? undefined : compilePattern(pattern);
  return {
    custom: regex !== undefined,
    extract(completion) {
      if (!regex) return extractAnswer(completion, equivalence);
      const matcher = regex.matcher(stripReasoning(completion));
      let found: string | undefined;
      while (matcher.find()) found = (regex.groupCount() > 0 ? matcher.group(1) : matcher.group(0)) ?? undefined;
      return found === undefined ? undefined : normalizeAnswer(found, equivalence);
    },
    equivalent: (first, second) => answersEquivalent(first, second, equivalence),
  };
}

function compilePattern(pattern: string): RE2JS {
  if (pattern.length > 1000) throw new InvalidArgumentError({ parameter: "answer pattern", value: pattern.length, message: "is longer than 1000 characters" });
  try {
    return RE2JS.compile(pattern);
  } catch (error) {
    throw new InvalidArgumentError({ parameter: "answer pattern", value: pattern, message: `is not a regular expression: ${(error as Error).message}` });
  }
}
