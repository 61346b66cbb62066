/**
 * One canonical key per answer, for voting and comparing: plain numbers as exact reduced fractions (`0.5`,
 * `1/2`, `\frac{2}{4}` are all `1/2`), a multiple-choice letter as itself, math as the Compute Engine's
 * canonical LaTeX (constants evaluated exactly: `2^{10}` is `1024`), anything else as lower-case text.
 * Normalising a key gives the key again (tested).
 */
import { type Collection, collectionOf } from "./answer-collection.js";
import { type CleanOptions, cleanAnswer } from "./clean-answer.js";
import { evaluateExactly, parseMath } from "./math-engine.js";
import { rationalKey, rationalValue } from "./number-value.js";

/** Looks like math rather than words: a digit, an operator, or a LaTeX command. */
const mathLike = /[\d\\^_+\-*/=<>()[\]{}]/;

export function normalizeAnswer(answer: string, options: CleanOptions = {}): string | undefined {
  if (typeof answer !== "string") return undefined;
  const cleaned = cleanAnswer(answer, options);
  if (cleaned.length === 0) return undefined;
  const choice = /^\(?([A-Ea-e])\)$|^\(?([A-E])\)?$/.exec(cleaned);
  if (choice) return (choice[1] ?? choice[2] ?? "").toUpperCase();
  const exact = rationalValue(cleaned);
  if (exact) return rationalKey(exact);
  const collection = collectionOf(cleaned);
  if (collection) return collectionKey(collection, options);
  if (!mathLike.test(cleaned)) return cleaned.toLowerCase();
  return canonicalMath(cleaned) ?? cleaned.replace(/\s+/g, "");
}

/** Each item's key, in order, or sorted for a set (a bare list is a set). */
function collectionKey(collection: Collection, options: CleanOptions): string {
  const key = (item: string) => normalizeAnswer(item, options) ?? "";
  if (collection.cells) return `\\begin{pmatrix}${collection.cells.map((row) => row.map(key).join("&")).join("\\\\")}\\end{pmatrix}`;
  const items = collection.items.map(key);
  return collection.ordered ? `${collection.open}${items.join(",")}${collection.close}` : `\\{${items.sort().join(",")}\\}`;
}

/** A number as the engine holds it (an integer, a float or `["Rational", p, q]`), as an exact key. */
function numberKeyOf(json: unknown): string | undefined {
  if (typeof json === "number" && Number.isFinite(json)) {
    const exact = rationalValue(String(json));
    return exact ? rationalKey(exact) : undefined;
  }
  if (Array.isArray(json) && json[0] === "Rational" && Number.isInteger(json[1]) && Number.isInteger(json[2])) {
    const exact = rationalValue(`${json[1]}/${json[2]}`);
    return exact ? rationalKey(exact) : undefined;
  }
  return undefined;
}

/** The canonical LaTeX of a math answer, where it parses and the key reads back as itself. */
function canonicalMath(cleaned: string): string | undefined {
  const parsed = parseMath(cleaned);
  if (!parsed) return undefined;
  const value = evaluateExactly(parsed);
  const number = numberKeyOf(value.json);
  if (number !== undefined) return number;
  const latex = value.latex;
  // Keep the key only where it is stable: normalising it again must give it back.
  const again = parseMath(latex);
  return again && evaluateExactly(again).latex === latex ? latex : undefined;
}
