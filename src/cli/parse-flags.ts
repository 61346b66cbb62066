import { InvalidArgumentError as CommanderInvalidArgument } from "commander";

/** A commander parser for an integer flag of at least `min`. */
export const integerOption =
  (name: string, min = 1) =>
  (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) throw new CommanderInvalidArgument(`${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
    return parsed;
  };

/** A commander parser for a positive number flag (`1e12` and `0.05` both read). */
export const positiveNumberOption =
  (name: string) =>
  (value: string): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0) throw new CommanderInvalidArgument(`${name} must be a positive number, got ${JSON.stringify(value)}`);
    return parsed;
  };

/** Collects a repeatable flag's values. */
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];
