import { BudgetExhaustedError } from "../core/errors/budget-exhausted-error.js";
import { isAbortError } from "../internal/abort.js";

/** True for the errors a run turns into a stop (budget or abort) rather than a failure. */
export function isStopError(error: unknown): boolean {
  return BudgetExhaustedError.isInstance(error) || isAbortError(error);
}
