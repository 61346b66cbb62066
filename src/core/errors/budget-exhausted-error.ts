import { hasErrorName, MullError } from "./mull-error.js";

const name = "MullBudgetExhaustedError";

/** Which of a budget's limits: policy tokens, calls, wall time, FLOPs of every model, money. */
export type BudgetLimit = "tokens" | "calls" | "wallMs" | "flops" | "money";

/** A call was refused because the run's budget is spent. Strategies catch it and stop with `stopReason: "budget"`. */
export class BudgetExhaustedError extends MullError {
  readonly limit: BudgetLimit;

  constructor({ limit }: { limit: BudgetLimit }) {
    super({ name, message: `The run's ${limit} budget is spent` });
    this.limit = limit;
  }

  static override isInstance(error: unknown): error is BudgetExhaustedError {
    return hasErrorName(error, name);
  }
}
