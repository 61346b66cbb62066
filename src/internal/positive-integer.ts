import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";

/** A setting that must be an integer of at least `minimum`, refused by name otherwise. */
export function positiveInteger(parameter: string, value: number, minimum: number): number {
  if (!Number.isInteger(value) || value < minimum)
    throw new InvalidArgumentError({ parameter, value, message: `must be an integer >= ${minimum}, got ${String(value)}` });
  return value;
}
