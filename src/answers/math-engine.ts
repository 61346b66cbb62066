/**
 * LaTeX math through the Compute Engine (@cortex-js/compute-engine, a maintained LaTeX parser and CAS), with
 * bounds: inputs over `maxMathLength` characters are not parsed, evaluation has the engine's time limit, and any failure is
 * "not math" rather than an error, so that no answer can hang or break a vote.
 */
import { ComputeEngine } from "@cortex-js/compute-engine";

/** A parsed expression (the engine's boxed expression type, which its entry does not name). */
export type BoxedExpression = ReturnType<ComputeEngine["parse"]>;

/** Longest answer parsed as math; a longer one is compared as text. */
export const maxMathLength = 300;

/**
 * Deepest bracket nesting parsed as math. The engine's parser backtracks: 50 nested parentheses took 50 ms
 * and 100 did not finish in a minute (measured with 0.26.4), while real answers nest a few levels.
 */
export const maxMathNesting = 12;

let engine: ComputeEngine | undefined;

const consoleMethods = ["error", "warn", "info", "log", "group", "groupEnd", "debug"] as const;

/**
 * Runs a synchronous engine call with the console silenced: the engine prints what it cannot type or parse
 * ("Invalid type ...") to stderr, which would reach the CLI's and the server's logs; here a failure is "not math".
 */
export function quietly<Value>(call: () => Value): Value {
  const saved = consoleMethods.map((name) => console[name]);
  for (const name of consoleMethods) console[name] = () => {};
  try {
    return call();
  } finally {
    consoleMethods.forEach((name, index) => {
      console[name] = saved[index] as (typeof console)[typeof name];
    });
  }
}

function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (const char of text) {
    if (char === "(" || char === "[" || char === "{") deepest = Math.max(deepest, ++depth);
    else if (char === ")" || char === "]" || char === "}") depth--;
  }
  return deepest;
}

function computeEngine(): ComputeEngine {
  // The engine stops an evaluation at its own time limit (2 s in 0.26); inputs are capped at `maxMathLength`.
  engine ??= new ComputeEngine();
  return engine;
}

/** The canonical expression of `latex`, or undefined when it is too long, does not parse, or parses with errors. */
export function parseMath(latex: string): BoxedExpression | undefined {
  if (latex.length === 0 || latex.length > maxMathLength || nestingDepth(latex) > maxMathNesting) return undefined;
  try {
    const expression = quietly(() => computeEngine().parse(latex));
    return expression.isValid ? expression : undefined;
  } catch {
    return undefined;
  }
}

/** A numeric value of a constant expression as [real, imaginary], or undefined. */
export function numericValue(expression: BoxedExpression): [number, number] | undefined {
  try {
    const value = quietly(() => expression.N());
    const real = value.re;
    const imaginary = value.im;
    return typeof real === "number" && Number.isFinite(real) ? [real, typeof imaginary === "number" && Number.isFinite(imaginary) ? imaginary : 0] : undefined;
  } catch {
    return undefined;
  }
}

/** The expression with each unknown replaced by a number, evaluated numerically. */
export function valueAt(expression: BoxedExpression, point: Record<string, number>): [number, number] | undefined {
  try {
    return numericValue(quietly(() => expression.subs(point)));
  } catch {
    return undefined;
  }
}

/** An exactly evaluated constant expression (`2^{10}` is 1024, `\sqrt{8}` is `2\sqrt{2}`), or the expression. */
export function evaluateExactly(expression: BoxedExpression): BoxedExpression {
  if (expression.unknowns.length > 0) return expression;
  try {
    const value = quietly(() => expression.evaluate());
    return value.isValid ? value : expression;
  } catch {
    return expression;
  }
}
