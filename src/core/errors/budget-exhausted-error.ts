import { hasErrorName, MullError } from "./mull-error.js";

const name = "MullBudgetExhaustedError";

/** A call was refused because the run's budget is spent. Strategies catch it and stop with `stopReason: "budget"`. */
export class BudgetExhaustedError extends MullError {
  readonly limit: "tokens" | "calls" | "wallMs";

  constructor({ limit }: { limit: "tokens" | "calls" | "wallMs" }) {
    super({ name, message: `The run's ${limit} budget is spent` });
    this.limit = limit;
  }

  static override isInstance(error: unknown): error is BudgetExhaustedError {
    return hasErrorName(error, name);
  }
}
