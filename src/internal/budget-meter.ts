import { BudgetExhaustedError } from "../core/errors/budget-exhausted-error.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { Budget } from "../core/strategy.js";
import { addUsage, emptyUsage, type Usage } from "../core/usage.js";

/**
 * Tracks what a run spends against its budget. Calls are admitted only while there is room; each call's
 * `maxTokens` is clamped to the tokens left, so usage can exceed the budget by at most the tokens of
 * calls already in flight. When a limit is reached the meter's signal aborts the work in flight.
 */
export class BudgetMeter {
  readonly #budget: Budget;
  readonly #controller = new AbortController();
  readonly #started = Date.now();
  #usage: Usage = emptyUsage();
  #exhaustedBy: "tokens" | "calls" | "wallMs" | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #detach: (() => void) | undefined;

  constructor(options: { budget?: Budget; abortSignal?: AbortSignal } = {}) {
    const budget = options.budget ?? {};
    for (const [name, value] of Object.entries(budget)) {
      if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value) || value <= 0)) {
        throw new InvalidArgumentError({ parameter: `budget.${name}`, value, message: `must be a positive number, got ${String(value)}` });
      }
    }
    this.#budget = budget;
    const parent = options.abortSignal;
    if (parent) {
      if (parent.aborted) this.#controller.abort(parent.reason);
      else {
        const onAbort = () => this.#controller.abort(parent.reason);
        parent.addEventListener("abort", onAbort, { once: true });
        this.#detach = () => parent.removeEventListener("abort", onAbort);
      }
    }
    if (budget.maxWallMs !== undefined) {
      this.#timer = setTimeout(() => this.#exhaust("wallMs"), budget.maxWallMs);
      this.#timer.unref?.();
    }
  }

  /** Aborts when the budget is spent or the caller aborts. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Which limit ended the run, if one did. */
  get exhaustedBy(): "tokens" | "calls" | "wallMs" | undefined {
    return this.#exhaustedBy;
  }

  get budget(): Budget {
    return this.#budget;
  }

  usage(): Usage {
    return { ...this.#usage, wallMs: Date.now() - this.#started };
  }

  /** Tokens left, or undefined when tokens are unlimited. */
  remainingTokens(): number | undefined {
    const max = this.#budget.maxTokens;
    return max === undefined ? undefined : Math.max(0, max - this.#usage.promptTokens - this.#usage.completionTokens);
  }

  /** Throws BudgetExhaustedError when no further call may start. */
  admit(): void {
    if (this.#exhaustedBy) throw new BudgetExhaustedError({ limit: this.#exhaustedBy });
    const { maxCalls, maxTokens } = this.#budget;
    if (maxCalls !== undefined && this.#usage.calls >= maxCalls) this.#exhaust("calls");
    if (maxTokens !== undefined && (this.remainingTokens() ?? 1) <= 0) this.#exhaust("tokens");
    if (this.#exhaustedBy) throw new BudgetExhaustedError({ limit: this.#exhaustedBy });
    // Count the call as soon as it is admitted so that concurrent admissions respect maxCalls.
    this.#usage = { ...this.#usage, calls: this.#usage.calls + 1 };
  }

  /** A call's generation cap: the requested one, clamped to the tokens left. */
  clampMaxTokens(requested: number | undefined): number | undefined {
    const remaining = this.remainingTokens();
    if (remaining === undefined) return requested;
    return Math.max(1, Math.min(requested ?? remaining, remaining));
  }

  /** Adds a finished call's tokens (its call was counted on admission). */
  record(usage: Usage): void {
    this.#usage = addUsage(this.#usage, { ...usage, calls: 0, wallMs: 0 });
    const { maxTokens } = this.#budget;
    if (maxTokens !== undefined && this.#usage.promptTokens + this.#usage.completionTokens >= maxTokens) this.#exhaust("tokens");
  }

  #exhaust(limit: "tokens" | "calls" | "wallMs"): void {
    if (this.#exhaustedBy) return;
    this.#exhaustedBy = limit;
    this.#controller.abort(new BudgetExhaustedError({ limit }));
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#detach?.();
  }
}
