/**
 * Plain numbers read exactly: integers, decimals, fractions `a/b` and `\frac{a}{b}`, and scientific notation
 * (`1.5e3`, `1.5\times10^{3}`), as a reduced fraction of big integers, so that `0.5`, `1/2` and `\frac{2}{4}`
 * share one key and no float rounding makes two different answers equal.
 */
export type Rational = { numerator: bigint; denominator: bigint };

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

function reduce(numerator: bigint, denominator: bigint): Rational {
  const sign = denominator < 0n ? -1n : 1n;
  const divisor = gcd(numerator, denominator) || 1n;
  return { numerator: (sign * numerator) / divisor, denominator: (sign * denominator) / divisor };
}

function decimal(text: string): Rational | undefined {
  const match = /^([-+]?)(\d*)(?:\.(\d*))?(?:(?:e|E|\\times\s*10\^|\*10\^)\{?([-+]?\d+)\}?)?$/.exec(text);
  if (!match || !(match[2] || match[3])) return undefined;
  const digits = match[3] ?? "";
  const exponent = Number(match[4] ?? 0);
  if (Math.abs(exponent) > 400) return undefined;
  let numerator = BigInt(`${match[1] === "-" ? "-" : ""}${match[2] || "0"}${digits}`);
  let denominator = 10n ** BigInt(digits.length);
  if (exponent > 0) numerator *= 10n ** BigInt(exponent);
  else denominator *= 10n ** BigInt(-exponent);
  return reduce(numerator, denominator);
}

/** A mixed number, `4 4/9` (40/9) or `-1 000 1/2`: its whole part, a space, its fraction, the sign for the whole. */
function mixedNumber(text: string): Rational | undefined {
  const match = /^([-+]?)(\d{1,3}(?:[ \u00a0]\d{3})+|\d+)[ \u00a0]+(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) return undefined;
  const denominator = BigInt(match[4] ?? "1");
  // A proper fraction only (`11 6/6` is no mixed number), as Math-Verify reads them.
  if (denominator === 0n || BigInt(match[3] ?? "0") >= denominator) return undefined;
  const whole = BigInt((match[2] ?? "0").replace(/[ \u00a0]/g, ""));
  const magnitude = whole * denominator + BigInt(match[3] ?? "0");
  return reduce(match[1] === "-" ? -magnitude : magnitude, denominator);
}

/** The exact value of a plain number, or undefined for anything else. */
export function rationalValue(text: string): Rational | undefined {
  const mixed = mixedNumber(text);
  if (mixed) return mixed;
  // Space between two digits is not nothing: `4 4/9` is not 44/9 (a mixed number is read above).
  if (/\d\s+\d/.test(text.trim())) return undefined;
  const compact = text.replace(/\s+/g, "");
  const fraction = /^([-+]?)(?:\\frac\{([-+]?\d+)\}\{([-+]?\d+)\}|([-+]?\d+)\/([-+]?\d+))$/.exec(compact);
  if (fraction) {
    const numerator = BigInt(fraction[2] ?? fraction[4] ?? "0");
    const denominator = BigInt(fraction[3] ?? fraction[5] ?? "1");
    if (denominator === 0n) return undefined;
    return reduce(fraction[1] === "-" ? -numerator : numerator, denominator);
  }
  return decimal(compact);
}

/** `p/q`, or `p` when q is 1. */
export function rationalKey(value: Rational): string {
  return value.denominator === 1n ? String(value.numerator) : `${value.numerator}/${value.denominator}`;
}

export function rationalToNumber(value: Rational): number {
  return Number(value.numerator) / Number(value.denominator);
}
