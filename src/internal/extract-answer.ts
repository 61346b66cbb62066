/**
 * Answer extraction and normalisation that work on real model output, not only on mull's tasks.
 * Extraction order: the last `#### x` line, the last `\boxed{...}` (nested braces), "the answer is ...",
 * an "Answer: (B)" multiple-choice letter, the last fenced code block, then the last number.
 * Unparseable output is an abstention (undefined), never an error.
 */
export function extractAnswer(text: string): string | undefined {
  if (typeof text !== "string" || text.trim().length === 0) return undefined;
  const hashes = [...text.matchAll(/####\s*([^\n]+)/g)].at(-1);
  if (hashes?.[1]) return normalizeAnswer(hashes[1]);
  const boxed = lastBraced(text, "\\boxed{") ?? lastBraced(text, "\\fbox{");
  if (boxed !== undefined) return normalizeAnswer(boxed);
  const stated = [...text.matchAll(/(?:final answer|answer)\s*(?:is|:)\s*[:\s]*([^\n]+?)\s*(?:$|\n)/gi)].at(-1);
  if (stated?.[1]) {
    const choice = /^\(?([A-E])\)?(?:[.:)\s]|$)/.exec(stated[1].trim());
    if (choice?.[1]) return choice[1];
    return normalizeAnswer(stated[1].replace(/\.$/, ""));
  }
  const code = [...text.matchAll(/```[\w-]*\n([\s\S]*?)```/g)].at(-1);
  if (code?.[1] !== undefined) return code[1].trim() || undefined;
  const numbers = [...text.matchAll(/-?\d[\d,]*(?:\.\d+)?(?:\/\d+)?/g)].at(-1);
  return numbers ? normalizeAnswer(numbers[0]) : undefined;
}

function lastBraced(text: string, opener: string): string | undefined {
  const start = text.lastIndexOf(opener);
  if (start === -1) return undefined;
  let depth = 0;
  for (let index = start + opener.length - 1; index < text.length; index++) {
    if (text[index] === "{") depth++;
    else if (text[index] === "}" && --depth === 0) return text.slice(start + opener.length, index);
  }
  return undefined;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** `p/q` in lowest terms (or `p` when q = 1), exactly, for integers, decimals and fractions. */
function rationalKey(numerator: bigint, denominator: bigint): string {
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  const divisor = gcd(numerator, denominator) || 1n;
  const p = numerator / divisor;
  const q = denominator / divisor;
  return q === 1n ? String(p) : `${p}/${q}`;
}

function numberKey(text: string): string | undefined {
  const fraction = /^(-?\d+)\/(-?\d+)$/.exec(text);
  if (fraction?.[1] && fraction[2] && BigInt(fraction[2]) !== 0n) return rationalKey(BigInt(fraction[1]), BigInt(fraction[2]));
  const decimal = /^(-?)(\d*)\.?(\d*)$/.exec(text);
  if (decimal && (decimal[2] || decimal[3])) {
    const digits = decimal[3] ?? "";
    const numerator = BigInt(`${decimal[1]}${decimal[2] || "0"}${digits}`);
    return rationalKey(numerator, 10n ** BigInt(digits.length));
  }
  return undefined;
}

/**
 * A canonical form for comparing answers: `0.5`, `1/2`, `\frac{1}{2}` and `$\dfrac12$` all become `1/2`;
 * `1,000` becomes `1000`; `\sqrt{2}` becomes `sqrt(2)`; a lone multiple-choice letter stays a letter.
 */
export function normalizeAnswer(answer: string): string | undefined {
  let value = answer.trim();
  value = value.replace(/^\$+|\$+$/g, "").replace(/\\[()[\]]/g, "");
  value = value.replace(/\\text\{([^}]*)\}/g, "$1").replace(/\\(?:left|right|displaystyle|!|,|;)/g, "");
  value = value.replace(/\\[dt]frac/g, "\\frac").replace(/\\frac(\d)(\d)/g, "\\frac{$1}{$2}");
  for (let guard = 0; guard < 5 && /\\frac\{[^{}]*\}\{[^{}]*\}/.test(value); guard++) value = value.replace(/\\frac\{([^{}]*)\}\{([^{}]*)\}/g, "($1)/($2)");
  value = value.replace(/\\sqrt\{([^{}]*)\}/g, "sqrt($1)").replace(/\^\{([^{}]*)\}/g, "^$1");
  value = value.replace(/\s+/g, "").replace(/\.$/, "");
  value = value.replace(/^\((-?\d+)\)\/\((-?\d+)\)$/, "$1/$2");
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(value)) value = value.replace(/,/g, "");
  const number = numberKey(value);
  if (number !== undefined) return number;
  const choice = /^\(?([A-Ea-e])\)?$/.exec(value);
  if (choice?.[1]) return choice[1].toUpperCase();
  return value.length > 0 ? value : undefined;
}

/** Whether two answers are the same after normalisation (abstentions are never equal). */
export function answersEquivalent(first: string | undefined, second: string | undefined): boolean {
  if (first === undefined || second === undefined) return false;
  const a = normalizeAnswer(first);
  return a !== undefined && a === normalizeAnswer(second);
}
