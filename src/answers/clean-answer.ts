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

const textCommands = ["text", "textbf", "textit", "mathrm", "mathbf", "mbox", "operatorname", "boxed", "fbox"];

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
  value = value.replace(/([\d}])\s*(?:\\[,;! ]\s*)*\\(?:text|textbf|mbox|mathrm)\{\s*[A-Za-z][A-Za-z\s.]*\}\s*$/, "$1");
  value = unwrapCommands(value, textCommands);
  value = value.replace(/\\(?:left|right|displaystyle|bigl|bigr|Bigl|Bigr|big|Big)\b/g, "");
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
    .replace(/[.。]$/, "")
    .trim();
  // `42 apples`, `5 cm`, `12 dollars`: the number is the answer.
  const withUnit = trailingWords.exec(value);
  if (withUnit?.[1]) value = withUnit[1];
  if (/^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(value) && !/^[-+]?0,/.test(value)) value = value.replace(/,/g, "");
  // A decimal comma (`2,35`, `0,222`): one or two digits after it, or a leading zero.
  else if (/^[-+]?\d+,\d{1,2}$|^[-+]?0,\d+$/.test(value)) value = value.replace(",", ".");
  // Spaced thousands (`2 000`).
  if (/^[-+]?\d{1,3}( \d{3})+(\.\d+)?$/.test(value)) value = value.replace(/ /g, "");
  return value;
}

/** `x = 11` (one variable, one value) as `11`; anything else as it is. */
function valueOfEquation(value: string): string {
  const equation = /^\\?[A-Za-z]+(?:_\{?\w+\}?)?(?:\([A-Za-z]\))?\s*=\s*([^=]+)$/.exec(value);
  return equation?.[1] ? equation[1].trim() : value;
}
