/**
 * Whether two answers mean the same, as the field's graders judge it: the same canonical key; the same
 * number within a tolerance; the same collection (sets in any order; tuples, intervals and matrices in
 * order); the same math, symbolically or numerically at test points; or the same text, case aside.
 * Every comparison is bounded (see `math-engine.ts`); abstentions are never equal.
 */

import { type Collection, collectionOf } from "./answer-collection.js";
import type { CleanOptions } from "./clean-answer.js";
import { cleanAnswer } from "./clean-answer.js";
import { type BoxedExpression, numericValue, parseMath, valueAt } from "./math-engine.js";
import { normalizeAnswer } from "./normalize-answer.js";
import { rationalToNumber, rationalValue } from "./number-value.js";

export type EquivalenceOptions = CleanOptions & {
  /** Relative tolerance for numbers (absolute below 1). Defaults to `1e-6`. */
  tolerance?: number;
};

export function answersEquivalent(first: string | undefined, second: string | undefined, options: EquivalenceOptions = {}): boolean {
  if (first === undefined || second === undefined) return false;
  const a = normalizeAnswer(first, options);
  const b = normalizeAnswer(second, options);
  if (a === undefined || b === undefined) return false;
  if (a === b) return true;
  return valuesEqual(cleanAnswer(first, options), cleanAnswer(second, options), options, 0);
}

function valuesEqual(a: string, b: string, options: EquivalenceOptions, depth: number): boolean {
  const tolerance = options.tolerance ?? 1e-6;
  const numberA = rationalValue(a);
  const numberB = rationalValue(b);
  if (numberA && numberB) return close(rationalToNumber(numberA), rationalToNumber(numberB), tolerance);
  const listA = depth < 3 ? collectionOf(a) : undefined;
  const listB = depth < 3 ? collectionOf(b) : undefined;
  if (listA || listB) return !!listA && !!listB && collectionsEqual(listA, listB, options, depth);
  // At the top the caller has compared the keys already; items of a collection have not been.
  if (depth > 0) {
    const keyA = normalizeAnswer(a, options);
    if (keyA !== undefined && keyA === normalizeAnswer(b, options)) return true;
  }
  return mathEqual(a, b, tolerance);
}

function close(a: number, b: number, tolerance: number): boolean {
  return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b));
}

function collectionsEqual(a: Collection, b: Collection, options: EquivalenceOptions, depth: number): boolean {
  if (a.items.length !== b.items.length) return false;
  // A bare list stands for a set; brackets must agree otherwise (an interval's ends are part of its value).
  const bracketsAgree = (a.open === b.open && a.close === b.close) || (a.open === "" && b.open === "{") || (a.open === "{" && b.open === "");
  if (!bracketsAgree) return false;
  if (a.ordered || b.ordered) return a.items.every((item, index) => valuesEqual(item, b.items[index] as string, options, depth + 1));
  const unmatched = [...b.items];
  for (const item of a.items) {
    const match = unmatched.findIndex((other) => valuesEqual(item, other, options, depth + 1));
    if (match === -1) return false;
    unmatched.splice(match, 1);
  }
  return true;
}

/** Test points for expressions with unknowns: equal values at all of them is taken as equal expressions. */
const testPoints = [0.5772, 1.3591, -2.2317, 3.7103];

function mathEqual(a: string, b: string, tolerance: number): boolean {
  const x = parseMath(a);
  const y = parseMath(b);
  if (!x || !y) return false;
  try {
    if (x.isSame(y) || x.isEqual(y) === true) return true;
  } catch {
    // fall through to numbers
  }
  if (x.operator !== y.operator && (isRelation(x) || isRelation(y))) return false;
  const unknowns = [...new Set([...x.unknowns, ...y.unknowns])];
  if (unknowns.length > 4) return false;
  const points =
    unknowns.length === 0
      ? [{}]
      : testPoints.map((base, index) => Object.fromEntries(unknowns.map((name, offset) => [name, base + index * 0.37 + offset * 1.3])));
  return points.every((point) => {
    const u = unknowns.length === 0 ? numericValue(x) : valueAt(x, point);
    const v = unknowns.length === 0 ? numericValue(y) : valueAt(y, point);
    return u !== undefined && v !== undefined && close(u[0], v[0], tolerance) && close(u[1], v[1], tolerance);
  });
}

function isRelation(expression: BoxedExpression): boolean {
  return ["Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual"].includes(expression.operator);
}
