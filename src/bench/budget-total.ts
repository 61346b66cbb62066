/**
 * The batch allocator behind `mull bench --budget-total`: one token budget for a whole set of questions,
 * spent where it buys the most right answers. Every question gets the same price of a token (the Lagrange
 * multiplier of the batch's knapsack, so that marginal returns are equal across questions: compute-optimal in
 * Snell et al.'s sense); a strategy that prices its spending (`allocatesBudget`, as a tuned profile lets one) then
 * picks the action worth that price. The price
 * is set before each question from what is left: the budget not yet spent (or promised to questions in
 * flight) spread over the questions not yet started, as the profile's dev bins forecast spending at each price.
 */

/** What a question is expected to spend, in generated tokens, at a price of a token in right answers (see `BudgetAllocation`). */
export type SpendCurve = (price: number) => number;

export type BudgetController = {
  /** The price for the next question, and what it is expected to spend (held until it finishes). */
  start(): { price: number; expected: number };
  /** A question finished: its expected spend is released, its actual spend counted. */
  finish(started: { expected: number }, spent: number): void;
  /** Tokens spent so far. */
  spent(): number;
};

/** Price from 0 to 1 right answer per token: spend falls as the price rises; the cheapest price that fits. */
export function priceFor(spendAtPrice: SpendCurve, tokensPerQuestion: number): number {
  if (spendAtPrice(0) <= tokensPerQuestion) return 0;
  let low = -9;
  let high = 0;
  if (spendAtPrice(10 ** high) > tokensPerQuestion) return 10 ** high;
  for (let step = 0; step < 40; step++) {
    const middle = (low + high) / 2;
    if (spendAtPrice(10 ** middle) <= tokensPerQuestion) high = middle;
    else low = middle;
  }
  return 10 ** high;
}

export function createBudgetController(options: {
  spendAtPrice: SpendCurve;
  total: number;
  questions: number;
  spent?: number;
  done?: number;
}): BudgetController {
  const { spendAtPrice, total } = options;
  let spent = options.spent ?? 0;
  let left = options.questions - (options.done ?? 0);
  let promised = 0;
  let inFlight = 0;
  return {
    start() {
      const waiting = Math.max(1, left - inFlight);
      const price = priceFor(spendAtPrice, Math.max(0, total - spent - promised) / waiting);
      const expected = spendAtPrice(price);
      promised += expected;
      inFlight++;
      return { price, expected };
    },
    finish(started, tokens) {
      promised -= started.expected;
      inFlight--;
      left--;
      spent += tokens;
    },
    spent: () => spent,
  };
}
