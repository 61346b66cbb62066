import { addSpend, type Compute, computeOf, costOfTokens, flopsPerParameterToken, type ModelCost, type ModelSpend } from "../core/compute-cost.js";
import { BudgetExhaustedError, type BudgetLimit } from "../core/errors/budget-exhausted-error.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { Budget } from "../core/strategy.js";
import { addUsage, emptyUsage, type Usage } from "../core/usage.js";

/** Which model a call ran on, for its cost. */
export type SpendSource = { id: string; role: ModelSpend["role"]; cost?: ModelCost };

/**
 * Tracks what a run spends against its budget. Calls are admitted only while there is room; each call's
 * `maxTokens` is clamped to the tokens left, so usage can exceed the budget by at most the tokens of
 * calls already in flight. When a limit is reached the meter's signal aborts the work in flight. It also
 * keeps what each model spent at its own size and price (`compute()`), the verifier's included.
 */
export class BudgetMeter {
  readonly #budget: Budget;
  readonly #controller = new AbortController();
  readonly #started = Date.now();
  #usage: Usage = emptyUsage();
  readonly #spends: Record<string, ModelSpend> = {};
  #exhaustedBy: BudgetLimit | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #detach: (() => void) | undefined;

  constructor(options: { budget?: Budget; abortSignal?: AbortSignal } = {}) {
    const budget = options.budget ?? {};
    for (const [name, value] of Object.entries(budget)) {
      if (name === "countVerifier") {
        if (value !== undefined && typeof value !== "boolean")
          throw new InvalidArgumentError({ parameter: "budget.countVerifier", value, message: `must be true or false, got ${String(value)}` });
        continue;
      }
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
  get exhaustedBy(): BudgetLimit | undefined {
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

  /** What every model spent so far, at its own size and price. */
  compute(): Compute {
    return computeOf({ ...this.#spends });
  }

  /**
   * Throws BudgetExhaustedError when no further call may start; `InvalidArgumentError` when the budget caps FLOPs
   * or money and the model has no size or price to count them by.
   */
  admit(source?: SpendSource): void {
    if (source) this.requireCost(source);
    if (this.#exhaustedBy) throw new BudgetExhaustedError({ limit: this.#exhaustedBy });
    const { maxCalls, maxTokens } = this.#budget;
    if (maxCalls !== undefined && this.#usage.calls >= maxCalls) this.#exhaust("calls");
    if (maxTokens !== undefined && (this.remainingTokens() ?? 1) <= 0) this.#exhaust("tokens");
    if (this.#exhaustedBy) throw new BudgetExhaustedError({ limit: this.#exhaustedBy });
    // Count the call as soon as it is admitted so that concurrent admissions respect maxCalls.
    this.#usage = { ...this.#usage, calls: this.#usage.calls + 1 };
  }

  /** A call's generation cap: the requested one, clamped to the tokens left, and to the FLOPs left at the model's size per candidate. */
  clampMaxTokens(requested: number | undefined, source?: SpendSource, candidates = 1): number | undefined {
    const caps = [this.remainingTokens()];
    const parameters = source?.cost?.parameters;
    // FLOPs left, shared among the call's candidates.
    if (this.#budget.maxFlops !== undefined && parameters)
      caps.push(Math.floor(Math.max(0, this.#budget.maxFlops - this.#counted().flops) / (flopsPerParameterToken * parameters * Math.max(1, candidates))));
    const remaining = caps.reduce<number | undefined>((least, cap) => (cap === undefined ? least : Math.min(least ?? cap, cap)), undefined);
    if (remaining === undefined) return requested;
    return Math.max(1, Math.min(requested ?? remaining, remaining));
  }

  /** Adds a finished call's tokens (its call was counted on admission), at its model's size and price. */
  record(usage: Usage, source?: SpendSource): void {
    this.#usage = addUsage(this.#usage, { ...usage, calls: 0, wallMs: 0 });
    if (source) this.#spend(source, usage);
    const { maxTokens } = this.#budget;
    if (maxTokens !== undefined && this.#usage.promptTokens + this.#usage.completionTokens >= maxTokens) this.#exhaust("tokens");
    this.#checkCompute();
  }

  /** Adds tokens a verifier evaluated: apart from the policy's usage, inside FLOPs and money unless `countVerifier` is false. */
  recordVerifier(tokens: number, source: Omit<SpendSource, "role">): void {
    if (this.#budget.countVerifier !== false) this.requireCost({ ...source, role: "verifier" });
    this.#spend({ ...source, role: "verifier" }, { promptTokens: tokens, completionTokens: 0 });
    this.#checkCompute();
  }

  /** Adds what a run inside this one spent on a model this meter did not see (its verifier). */
  addSpend(id: string, spend: ModelSpend): void {
    this.#spends[id] = addSpend(this.#spends[id], spend);
    this.#checkCompute();
  }

  #spend(source: SpendSource, usage: { promptTokens: number; completionTokens: number }): void {
    const { promptTokens, completionTokens } = usage;
    this.#spends[source.id] = addSpend(this.#spends[source.id], { role: source.role, promptTokens, completionTokens, ...costOfTokens(source.cost, usage) });
  }

  /** Throws `InvalidArgumentError` where the budget caps FLOPs or money and this model cannot be counted by them. */
  requireCost(source: SpendSource): void {
    const { maxFlops, maxMoney } = this.#budget;
    if (maxFlops !== undefined && source.cost?.parameters === undefined)
      throw new InvalidArgumentError({
        parameter: "budget.maxFlops",
        value: maxFlops,
        message: `counts FLOPs by each model's size, and ${source.id} has no parameter count (give it one: the spec's parameters setting)`,
      });
    if (maxMoney !== undefined && source.cost?.pricePerMillion === undefined)
      throw new InvalidArgumentError({
        parameter: "budget.maxMoney",
        value: maxMoney,
        message: `counts money by each model's price, and ${source.id} has none (give it one: the spec's promptPrice and completionPrice settings)`,
      });
  }

  /** The FLOPs and money counted against the budget: every model's, the verifier's unless `countVerifier` is false. */
  #checkCompute(): void {
    const { maxFlops, maxMoney } = this.#budget;
    if (maxFlops === undefined && maxMoney === undefined) return;
    const { flops, money } = this.#counted();
    if (maxFlops !== undefined && flops >= maxFlops) this.#exhaust("flops");
    if (maxMoney !== undefined && money >= maxMoney) this.#exhaust("money");
  }

  #counted(): { flops: number; money: number } {
    const counted = Object.values(this.#spends).filter((spend) => this.#budget.countVerifier !== false || spend.role !== "verifier");
    return {
      flops: counted.reduce((sum, spend) => sum + (spend.flops ?? 0), 0),
      money: counted.reduce((sum, spend) => sum + (spend.money ?? 0), 0),
    };
  }

  #exhaust(limit: BudgetLimit): void {
    if (this.#exhaustedBy) return;
    this.#exhaustedBy = limit;
    this.#controller.abort(new BudgetExhaustedError({ limit }));
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#detach?.();
  }
}
