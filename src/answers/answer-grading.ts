/**
 * How answers are read and compared for one run or bench, where graders differ or data needs its own
 * projection: a user regex (its first group, else its whole match, is the answer), strict equations, a
 * numeric tolerance. One object, so that voting and grading read answers the same way.
 */
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import { answersEquivalent, type EquivalenceOptions } from "./answers-equivalent.js";
import { extractAnswer } from "./extract-answer.js";
import { normalizeAnswer } from "./normalize-answer.js";
import { stripReasoning } from "./strip-reasoning.js";

export type AnswerGradingOptions = EquivalenceOptions & {
  /**
   * A regular expression whose last match in a completion is its answer (the first capture group where
   * it has one). Defaults to none: the standard extraction (see `extractAnswer`).
   */
  pattern?: string | RegExp;
};

export type AnswerGrading = {
  extract(completion: string): string | undefined;
  equivalent(first: string | undefined, second: string | undefined): boolean;
};

export function createAnswerGrading(options: AnswerGradingOptions = {}): AnswerGrading {
  const { pattern, ...equivalence } = options;
  if (equivalence.tolerance !== undefined && !(equivalence.tolerance >= 0 && equivalence.tolerance < 1))
    throw new InvalidArgumentError({ parameter: "tolerance", value: equivalence.tolerance, message: "must be a number from 0 to below 1" });
  const regex = pattern === undefined ? undefined : compilePattern(pattern);
  return {
    extract(completion) {
      if (!regex) return extractAnswer(completion, equivalence);
      const match = [...stripReasoning(completion).matchAll(regex)].at(-1);
      const found = match?.[1] ?? match?.[0];
      return found === undefined ? undefined : normalizeAnswer(found, equivalence);
    },
    equivalent: (first, second) => answersEquivalent(first, second, equivalence),
  };
}

function compilePattern(pattern: string | RegExp): RegExp {
  if (pattern instanceof RegExp) return new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`);
  try {
    return new RegExp(pattern, "g");
  } catch (error) {
    throw new InvalidArgumentError({ parameter: "answer pattern", value: pattern, message: `is not a regular expression: ${(error as Error).message}` });
  }
}
