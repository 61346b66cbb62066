/**
 * The surface of an answer taken off, the value kept: math delimiters, markdown, spacing commands,
 * `\text{}`, thousands separators, units, currency, degrees and percent signs, a trailing full stop, and
 * (leniently) the `x =` of an equation that states a value. Applying it twice gives the same as once (tested).
 */
import { unwrapCommands } from "./find-braced.js";

export type CleanOptions = {
  /** `"lenient"` reads `x = 11` as `11`; `"strict"` keeps the equation. Defaults to `"lenient"`. */
  equations?: "lenient" | "strict";
};

const textCommands = ["text", "textbf", "textit", "textnormal", "mathrm", "mathbf", "mbox", "operatorname", "boxed", "fbox"];

/** Words that follow a number as its unit or currency and say nothing about its value. */
const trailingWords = /^([-+]?(?:\d[\d,]*\.?\d*|\.\d+)(?:\/\d+)?)\s*(?:[A-Za-z]{2,}[A-Za-z\s.'-]*|[a-z]\s*[²³])$/;

export function cleanAnswer(answer: string, options: CleanOptions = {}): string {
  let value = answer.trim();
  for (let pass = 0; pass < 3; pass++) {
    const before = value;
    value = stripSurface(value);
    if ((options.equations ?? "lenient") === "lenient") value = valueOfEquation(value);
    if (value === before) break;
  }
  return value;
}

function stripSurface(answer: string): string {
  let value = answer.replace(/\*\*|__/g, "").trim();
  value = value.replace(/^\$+|\$+$/g, "").replace(/^\\\(|\\\)$|^\\\[|\\\]$/g, "");
  // A unit written as text after a number (`3\,\text{m}`, `5\text{ cm}`) goes before the text commands open.
  value = value.replace(/([\d}])\s*(?:\\[,;! ]\s*)*\\(?:text|textbf|textnormal|mbox|mathrm)\{\s*[A-Za-z][A-Za-z\s.]*\}\s*$/, "$1");
  // Backslashes doubled by a JSON or Python string (`\\frac`, `\\left(`): a line break never opens these commands.
  value = value.replace(/\\\\(?=(?:left|right|[dtc]?frac|sqrt|leq?|geq?|neq?|lt|gt|cdot|times|pi|infty|in|cup|text|boxed)\b)/g, "\\");
  value = unwrapCommands(value, textCommands);
  // A matrix in parentheses is the matrix (`(\begin{pmatrix}...\end{pmatrix})`).
  value = value.replace(/^\((\\begin\{([pbvB]?matrix|array)\}[\s\S]*\\end\{\2\})\)$/, "$1");
  value = value.replace(/\\(?:left|right|displaystyle|bigl|bigr|Bigl|Bigr|big|Big)\b/g, "");
  // A thousands separator with a negative space (`10,\!080`, `11,\! 111`) or in braces (`14{,}916`, `14 {, }916`) is a
  // comma, not a comma and a space.
  value = value.replace(/(\d),\\!\s?(?=\d{3}(?!\d))/g, "$1,").replace(/(\d)\s?\{,\s?\}(?=\d{3}(?!\d))/g, "$1");
  value = value.replace(/(?<!\\)\\[!,;:> ]|~/g, " ").replace(/[\u2009\u202f\u00a0]/g, " ");
  // Plain-text math as chat models write it: `sqrt(2)`, `pi/2`.
  value = value.replace(/(?<!\\)\bsqrt\s*\(([^()]*)\)/g, "\\sqrt{$1}").replace(/(?<![\\A-Za-z])pi\b/g, "\\pi");
  value = value
    .replace(/\\[dtc]frac/g, "\\frac")
    .replace(/\\frac\s*(\d)\s*(\d)/g, "\\frac{$1}{$2}")
    .replace(/\\frac\s*(\d)\s*\{/g, "\\frac{$1}{")
    .replace(/\\frac\s*(\{[^{}]*\})\s*(\d)/g, "\\frac$1{$2}")
    .replace(/\\sqrt\s*(\d+)/g, "\\sqrt{$1}");
  value = value.replace(/\{,\}/g, "").replace(/\^(\d{2,})/g, "^{$1}");
  // Degrees, percent and currency are units here: `90^\circ` is 90, `28\%` is 28, `\$5` is 5.
  value = value
    .replace(/\^\s*\{?\\circ\}?|°|\\degree/g, "")
    .replace(/\\?%/g, "")
    .replace(/\\\$|\$|€|£|\bUSD\b/g, "");
  value = value
    .replace(/\\(?:geq|ge)\b|≥|>=/g, "\\geq ")
    .replace(/\\(?:leq|le)\b|≤|<=/g, "\\leq ")
    .replace(/\\(?:neq|ne)\b|≠|!=/g, "\\neq ");
  value = value.replace(/\\infty|∞/g, "\\infty ").replace(/−/g, "-");
  value = value
    .replace(/\s+/g, " ")
    .trim()
    .replace(/(?<!\.)[.。,]$/, "")
    .trim();
  // `42 apples`, `5 cm`, `12 dollars`: the number is the answer.
  const withUnit = trailingWords.exec(value);
  if (withUnit?.[1]) value = withUnit[1];
  // Thousands (`10,080`); a decimal comma only as prices and European decimals write it (`2,35`, `0,222`); any
  // other comma separates a list (`1,2` is two answers, never the decimal 1.2).
  if (/^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(value) && !/^[-+]?0,/.test(value)) value = value.replace(/,/g, "");
  else if (/^[-+]?\d+,\d{2}$|^[-+]?0,\d{2,}$/.test(value)) value = value.replace(",", ".");
  // Spaced thousands (`2 000`).
  if (/^[-+]?\d{1,3}( \d{3})+(\.\d+)?$/.test(value)) value = value.replace(/ /g, "");
  return value;
}

/**
 * An answer stated with what it answers, as the value alone: `x = 11`, `f(x) = 2x`, `(x, y) = (3, 2)`,
 * `V_1:V_2 = 11:21`, `|AB| = 1`, `x \in (2, \infty)`, `x \approx 3.14`, and a chain `a = b = 12` by its last member. A left side
 * that computes something (`x + y = 5`, `5x - 7y = 0`) is an equation, kept whole.
 */
function valueOfEquation(text: string): string {
  const member = /^\\?[A-Za-z](?:_\{?\w+\}?)?\s*\\in\s*(.+)$/.exec(text);
  if (member?.[1]) return member[1].trim();
  const between = intervalOfBounds(text);
  if (between) return between;
  // An approximation after an exact value is dropped (`x = 1/4 \approx 0.25` is 1/4); after a name it is the value.
  const approximated = /^(.*?)\s*\\approx\s*(.+)$/.exec(text);
  const value = approximated?.[1] !== undefined && approximated[2] ? (namesAQuantity(approximated[1].trim()) ? approximated[2] : approximated[1]) : text;
  const sides = value.split(/(?<![<>!\\])=(?!=)/);
  if (sides.length < 2) return value;
  const last = (sides.at(-1) as string).trim();
  // A chain ends in its value (`x = 5 + 6 + 1 = 12`); a computation in its result (`\frac{1}{2} + \frac{13}{18} = \frac{11}{9}`).
  if (isConstant(last) && (sides.length > 2 || sides.slice(0, -1).every(isConstant))) return last;
  return sides.length === 2 && namesAQuantity((sides[0] as string).trim()) && last !== "" ? last : value;
}

/** A variable between two bounds (`-2 \\leq x < 7`, `7 > x > -2`) as the interval it states (`[-2, 7)`). */
function intervalOfBounds(text: string): string | undefined {
  const parts = text.split(/\s*(<|>|\\leq|\\geq)\s*/);
  if (parts.length !== 5 || !/^\\?[A-Za-z](?:_\{?\w+\}?)?$/.test((parts[2] as string).trim())) return undefined;
  const [first, opening, , closing, last] = parts as [string, string, string, string, string];
  const rising = (opening === "<" || opening === "\\leq") && (closing === "<" || closing === "\\leq");
  const falling = (opening === ">" || opening === "\\geq") && (closing === ">" || closing === "\\geq");
  if (!rising && !falling) return undefined;
  const [low, high, lowOp, highOp] = rising ? [first, last, opening, closing] : [last, first, closing, opening];
  if (!low.trim() || !high.trim()) return undefined;
  return `${lowOp.length > 1 ? "[" : "("}${low.trim()}, ${high.trim()}${highOp.length > 1 ? "]" : ")"}`;
}

/** Arithmetic on numbers alone: no letter outside a command (`\frac`, `\sqrt`, `\pi`, ...). */
export const isConstant = (text: string): boolean => !/[A-Za-z]/.test(text.replace(/\\[A-Za-z]+/g, "")) && /\d/.test(text);

/** Whether a left side names what is asked rather than computing it: names, subscripts, tuples and ratios of them, `|AB|`, `f(x)`. */
function namesAQuantity(side: string): boolean {
  if (side === "" || /[+*/^]|(?<!_\{?)-|\\(?:frac|cdot|times|sqrt)/.test(side)) return false;
  const bare = side
    .replace(/\\(?:angle|overline|overrightarrow|vec|hat|bar|operatorname|mathrm|text)\b/g, "")
    .replace(/_\{?[\w,]+\}?/g, "")
    .replace(/[\s(),:|{}[\]]/g, "");
  return /^(?:\\?[A-Za-z])+'*$/.test(bare) && bare.replace(/\\[A-Za-z]+/g, "x").length <= 6;
}
