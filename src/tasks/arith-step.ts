/**
 * One step line of step-by-step integer arithmetic (`12*34=408`): its exact result, and whether a written
 * result is right. Shared by the calculator in the loop and the step-check verifier.
 */
const operation = /^\s*(-?\d{1,30})\s*([-+*])\s*(-?\d{1,30})\s*=\s*(-?\d{1,60})?\s*$/;

function exact(a: string, op: string, b: string): bigint {
  const x = BigInt(a);
  const y = BigInt(b);
  return op === "+" ? x + y : op === "-" ? x - y : x * y;
}

/** The result of a line that reaches `a op b=` (nothing after the sign), or undefined for any other line. */
export function stepResult(line: string): string | undefined {
  const match = operation.exec(line);
  if (!match || match[4] !== undefined) return undefined;
  return String(exact(match[1] as string, match[2] as string, match[3] as string));
}

/** Whether a line `a op b=c` is right; undefined for a line of any other shape. */
export function stepHolds(line: string): boolean | undefined {
  const match = operation.exec(line);
  if (!match || match[4] === undefined) return undefined;
  return exact(match[1] as string, match[2] as string, match[3] as string) === BigInt(match[4]);
}
