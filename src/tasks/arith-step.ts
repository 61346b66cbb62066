/**
 * One step line of step-by-step integer arithmetic (`12*34=408`, `126/2=63`): its exact result, and whether a written
 * result is right. Shared by the calculator in the loop and the step-check verifier.
 */
const operation = /^\s*(-?\d{1,30})\s*([-+*/])\s*(-?\d{1,30})\s*=\s*(-?\d{1,60})?\s*$/;

/** The exact result; undefined for a division that leaves a remainder (or by zero), which has no integer result. */
function exact(a: string, op: string, b: string): bigint | undefined {
  const x = BigInt(a);
  const y = BigInt(b);
  if (op === "/") return y !== 0n && x % y === 0n ? x / y : undefined;
  return op === "+" ? x + y : op === "-" ? x - y : x * y;
}

/** The result of a line that reaches `a op b=` (nothing after the sign), or undefined for any other line. */
export function stepResult(line: string): string | undefined {
  const match = operation.exec(line);
  if (!match || match[4] !== undefined) return undefined;
  const result = exact(match[1] as string, match[2] as string, match[3] as string);
  return result === undefined ? undefined : String(result);
}

/** Whether a line `a op b=c` is right; undefined for a line of any other shape. */
export function stepHolds(line: string): boolean | undefined {
  const match = operation.exec(line);
  if (!match || match[4] === undefined) return undefined;
  const result = exact(match[1] as string, match[2] as string, match[3] as string);
  return result === undefined ? undefined : result === BigInt(match[4]);
}
