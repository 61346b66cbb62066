/**
 * Whether two answers mean the same, as the field's graders judge it: the same canonical key; the same
 * number within a tolerance; the same collection (sets in any order; tuples, intervals and matrices in
 * order); the same math, symbolically or numerically at test points; or the same text, case aside.
 * Every comparison is bounded (see `math-engine.ts`); abstentions are never equal.
 */

import { type Collection, collectionOf } from "./answer-collection.js";
import type { CleanOptions } from "./clean-answer.js";
import { cleanAnswer } from "./clean-answer.js";
import { type BoxedExpression, numericValue, parseMath, quietly, valueAt } from "./math-engine.js";
import { normalizeAnswer } from "./normalize-answer.js";
import { rationalToNumber, rationalValue } from "./number-value.js";

export type EquivalenceOptions = CleanOptions & {
  /** Relative tolerance for numbers (of the larger magnitude, so `0.0000672` and `0.0000673` differ). Defaults to `1e-6`. */
  tolerance?: number;
};

export function answersEquivalent(first: string | undefined, second: string | undefined, options: EquivalenceOptions = {}): boolean {
  if (first === undefined || second === undefined) return false;
  const a = normalizeAnswer(first, options);
  const b = normalizeAnswer(second, options);
  if (a === undefined || b === undefined) return false;
  if (a === b) return true;
  if (valuesEqual(cleanAnswer(first, options), cleanAnswer(second, options), options, 0)) return true;
  // A line written `y = mx + b` against `2x + 4y - 3 = 0`: read leniently, one lost its left side; as equations they agree.
  const equations = { ...options, equations: "strict" as const };
  return (
    options.equations !== "strict" &&
    /=/.test(first) &&
    /=/.test(second) &&
    valuesEqual(cleanAnswer(first, equations), cleanAnswer(second, equations), equations, 0)
  );
}

function valuesEqual(a: string, b: string, options: EquivalenceOptions, depth: number): boolean {
  const tolerance = options.tolerance ?? 1e-6;
  const numberA = rationalValue(a);
  const numberB = rationalValue(b);
  // Two integers are equal exactly (1450001 is not 1450000); a decimal or a fraction within the tolerance.
  if (numberA && numberB)
    return numberA.denominator === 1n && numberB.denominator === 1n && !/\./.test(a + b)
      ? numberA.numerator === numberB.numerator
      : close(rationalToNumber(numberA), rationalToNumber(numberB), tolerance);
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

/** Equal within a relative tolerance; a difference under 1e-12 (floating-point noise around zero) is none. */
function close(a: number, b: number, tolerance: number): boolean {
  return Math.abs(a - b) <= Math.max(tolerance * Math.max(Math.abs(a), Math.abs(b)), 1e-12);
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
  // A relation evaluates to a truth value (two equations with free variables are both "false"), so relations
  // compare as relations, never through the engine's equality.
  if (isRelation(x) || isRelation(y)) return relationsEqual(x, y, tolerance);
  try {
    if (quietly(() => x.isSame(y) || x.isEqual(y) === true)) return true;
  } catch {
    // fall through to numbers
  }
  const points = pointsFor([x, y]);
  return (
    points?.every((point) => {
      const u = valueAtPoint(x, point);
      const v = valueAtPoint(y, point);
      return u !== undefined && v !== undefined && close(u[0], v[0], tolerance) && close(u[1], v[1], tolerance);
    }) === true
  );
}

const relations = ["Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual", "Element", "NotElement"];

function isRelation(expression: BoxedExpression): boolean {
  return relations.includes(expression.operator);
}

/** Test points over the expressions' unknowns (one empty point for constants); undefined past four unknowns. */
function pointsFor(expressions: BoxedExpression[]): Record<string, number>[] | undefined {
  const unknowns = [...new Set(expressions.flatMap((expression) => expression.unknowns))];
  if (unknowns.length > 4) return undefined;
  return unknowns.length === 0
    ? [{}]
    : testPoints.map((base, index) => Object.fromEntries(unknowns.map((name, offset) => [name, base + index * 0.37 + offset * 1.3])));
}

const valueAtPoint = (expression: BoxedExpression, point: Record<string, number>) =>
  Object.keys(point).length === 0 ? numericValue(expression) : valueAt(expression, point);

/**
 * Two relations are the same when they have the same kind and their sides' differences are proportional: an
 * equation by any factor but zero (`x + y = 2` is `2x + 2y = 4`), an inequality by a positive one (or a negative
 * one with the relation reversed). Set membership is compared by its two sides.
 */
function relationsEqual(x: BoxedExpression, y: BoxedExpression, tolerance: number): boolean {
  const reversed: Record<string, string> = { Less: "Greater", Greater: "Less", LessEqual: "GreaterEqual", GreaterEqual: "LessEqual" };
  const sameKind = x.operator === y.operator;
  if (!sameKind && reversed[x.operator] !== y.operator) return false;
  const [left, right] = [x.ops ?? [], y.ops ?? []];
  if (left.length !== 2 || right.length !== 2) return false;
  const points = pointsFor([x, y]);
  if (!points) return false;
  const ratios: number[] = [];
  for (const point of points) {
    const [a, b, c, d] = [left[0], left[1], right[0], right[1]].map((side) => (side ? valueAtPoint(side, point) : undefined));
    if (!a || !b || !c || !d) return false;
    const u = a[0] - b[0];
    const v = c[0] - d[0];
    if (Math.abs(u) < 1e-12 && Math.abs(v) < 1e-12) continue;
    if (Math.abs(u) < 1e-12 || Math.abs(v) < 1e-12) return false;
    ratios.push(u / v);
  }
  // Both sides equal everywhere (`x = x`): the same only where both are.
  if (ratios.length === 0) return true;
  const first = ratios[0] as number;
  if (!ratios.every((ratio) => close(ratio, first, tolerance))) return false;
  if (x.operator === "Equal" || x.operator === "NotEqual") return true;
  return sameKind ? first > 0 : first < 0;
}
