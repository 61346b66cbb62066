/**
 * What every step-level search shares: continuing a partial solution by one step (a raw-prompt completion
 * that stops at the step delimiter), scoring partial solutions with a process reward model, the search
 * tree, the budget, and the final choice among complete solutions.
 */
import { setMaxListeners } from "node:events";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { Candidate, StrategyResult, StrategyRunOptions } from "../core/strategy.js";
import type { Verifier } from "../core/verifier.js";
import type { Warning } from "../core/warning.js";
import { BudgetMeter } from "../internal/budget-meter.js";
import { extractAnswer as defaultExtractAnswer } from "../internal/extract-answer.js";
import { meteredGenerate } from "../internal/metered-model.js";
import { type SearchNode, SearchTree } from "./search-tree.js";
import { createTrace, finishRun, highestScored, isStopError, majorityVote, mergeWarnings, scoreCandidates } from "./strategy-helpers.js";

export type FinalSelection = "best" | "weighted-vote" | "majority";

const finalSelections: readonly FinalSelection[] = ["best", "weighted-vote", "majority"];

/** Options every step-level search takes. */
export type StepSearchOptions = {
  /** Scores partial solutions (a process reward model; its aggregation decides a prefix's score). Required. */
  verifier: Verifier;
  /** Ends one step. Defaults to the model's `stepDelimiter` (`"\n"` for the bundled model), else `"\n\n"`. */
  stepDelimiter?: string;
  /** Policy sampling temperature. Defaults to each search's reference value (0.8; REBASE 1.0). */
  temperature?: number;
  /** Most steps in one solution; the step at this depth is generated to the end. Defaults to `40`. */
  maxSteps?: number;
  /** Most tokens in one step. Defaults to `256`. */
  maxStepTokens?: number;
  /** How the answer is chosen among complete solutions. Defaults to each search's reference choice. */
  select?: FinalSelection;
  /**
   * Whether a step completes the solution. Defaults to a step holding a final answer
   * (`####`, `\boxed{`, or "the answer is"); a step the model ends with its end-of-text token, an empty
   * step and a step cut at `maxStepTokens` also end a solution.
   */
  isFinalStep?: (step: string) => boolean;
};

const finalAnswerPattern = /####|\\boxed\{|the answer is/i;

/** Checks the options every search shares; returns them with defaults filled in. */
export function validateStepSearch(
  name: string,
  options: StepSearchOptions,
  defaults: { temperature: number; select: FinalSelection },
): Required<Omit<StepSearchOptions, "stepDelimiter">> & { stepDelimiter: string | undefined } {
  if (!options?.verifier) throw new InvalidArgumentError({ parameter: "verifier", message: `${name} needs a process reward model as its verifier` });
  const temperature = options.temperature ?? defaults.temperature;
  const maxSteps = options.maxSteps ?? 40;
  const maxStepTokens = options.maxStepTokens ?? 256;
  const select = options.select ?? defaults.select;
  if (!Number.isFinite(temperature) || temperature < 0)
    throw new InvalidArgumentError({ parameter: "temperature", value: temperature, message: "must be a number >= 0" });
  if (!Number.isInteger(maxSteps) || maxSteps < 1 || maxSteps > 1000)
    throw new InvalidArgumentError({ parameter: "maxSteps", value: maxSteps, message: "must be an integer from 1 to 1000" });
  if (!Number.isInteger(maxStepTokens) || maxStepTokens < 1)
    throw new InvalidArgumentError({ parameter: "maxStepTokens", value: maxStepTokens, message: "must be a positive integer" });
  if (!finalSelections.includes(select))
    throw new InvalidArgumentError({ parameter: "select", value: select, message: `must be one of ${finalSelections.join(", ")}` });
  if (options.stepDelimiter !== undefined && (typeof options.stepDelimiter !== "string" || options.stepDelimiter.length === 0))
    throw new InvalidArgumentError({ parameter: "stepDelimiter", value: options.stepDelimiter, message: "must be a non-empty string" });
  return {
    verifier: options.verifier,
    stepDelimiter: options.stepDelimiter,
    temperature,
    maxSteps,
    maxStepTokens,
    select,
    isFinalStep: options.isFinalStep ?? ((step) => finalAnswerPattern.test(step)),
  };
}

/** Checks a positive integer option. */
export function positiveInteger(parameter: string, value: number, most = 1024): number {
  if (!Number.isInteger(value) || value < 1 || value > most)
    throw new InvalidArgumentError({ parameter, value, message: `must be an integer from 1 to ${most}, got ${value}` });
  return value;
}

/** Checks a positive number option. */
export function positiveNumber(parameter: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError({ parameter, value, message: `must be a number > 0, got ${value}` });
  return value;
}

/** One run of a step-level search: the model, the tree, the meter, and what was spent. */
export class StepSearchRun {
  readonly tree = new SearchTree();
  readonly meter: BudgetMeter;
  readonly warnings: Warning[] = [];
  readonly delimiter: string;
  verifierTokens = 0;
  /** Set once the budget ran out or the caller aborted: no more expansions. */
  stopped = false;
  readonly #run: StrategyRunOptions;
  readonly #prompt: string;
  readonly #settings: ReturnType<typeof validateStepSearch>;
  readonly #name: string;
  /** The verifier's per-run session where it has one: partial solutions extend each other. */
  readonly #verifier: Verifier;
  readonly #trace = createTrace();
  readonly #tokens = new Map<number, number>();
  #calls = 0;

  constructor(options: { name: string; run: StrategyRunOptions; settings: ReturnType<typeof validateStepSearch> }) {
    const { run, name } = options;
    // Checked before anything is spent: a chat-only backend cannot continue a partial answer.
    if (run.model.supportsRawPrompt === false)
      throw new InvalidArgumentError({
        parameter: "model",
        value: run.model.modelId,
        message: `${name} continues partial solutions with raw-text completions (/v1/completions), which this chat-only backend cannot do`,
      });
    if (typeof run.call.prompt !== "string")
      throw new InvalidArgumentError({
        parameter: "prompt",
        message: `${name} continues partial solutions, so it needs a raw-text prompt (a completions request), not chat messages (mull solve: --raw)`,
      });
    this.#run = run;
    this.#prompt = run.call.prompt;
    this.#settings = options.settings;
    this.#name = name;
    this.#verifier = options.settings.verifier.session?.() ?? options.settings.verifier;
    this.delimiter = options.settings.stepDelimiter ?? run.model.stepDelimiter ?? "\n\n";
    this.meter = new BudgetMeter({ ...(run.budget ? { budget: run.budget } : {}), ...(run.abortSignal ? { abortSignal: run.abortSignal } : {}) });
    // Every concurrent expansion listens on the run's signal; that is expected, not a leak.
    setMaxListeners(1000, this.meter.signal);
  }

  get root(): SearchNode {
    return this.tree.root;
  }

  /** Records an event in the run's trace. */
  note(type: string, data?: Record<string, unknown>): void {
    this.#trace.add(type, data);
  }

  progress(message: string, data?: Record<string, unknown>): void {
    this.#run.onProgress?.({ type: "progress", message: `${this.#name}: ${message}`, usage: this.meter.usage(), ...(data ? { data } : {}) });
  }

  /**
   * Samples `count` next steps of `node` in one call (concurrent samples). Returns fewer, possibly none,
   * once the budget runs out or the run is aborted. At `maxSteps` (or with `toEnd`) the rest of the
   * solution is generated as one final step.
   */
  async expand(node: SearchNode, count: number, options: { temperature?: number; toEnd?: boolean } = {}): Promise<SearchNode[]> {
    if (this.stopped || count < 1) return [];
    const toEnd = options.toEnd === true || node.depth + 1 >= this.#settings.maxSteps;
    const call = this.#run.call;
    const seed = call.seed !== undefined ? call.seed + this.#calls * 7_919 : undefined;
    this.#calls++;
    const result = await meteredGenerate({
      model: this.#run.model,
      meter: this.meter,
      call: {
        ...call,
        prompt: this.#prompt + node.text,
        n: count,
        temperature: options.temperature ?? this.#settings.temperature,
        maxTokens: toEnd ? (call.maxTokens ?? 1024) : Math.min(this.#settings.maxStepTokens, call.maxTokens ?? Number.POSITIVE_INFINITY),
        ...(toEnd ? {} : { stop: [this.delimiter] }),
        ...(seed !== undefined ? { seed } : {}),
      },
    }).catch((error: unknown) => {
      if (isStopError(error)) return undefined;
      throw error;
    });
    if (!result || this.meter.signal.aborted) this.stopped = true;
    if (!result) return [];
    mergeWarnings(this.warnings, result.warnings);
    const children: SearchNode[] = [];
    for (const completion of result.completions) {
      // A step cut short by the budget or an abort is not a step (one cut at maxStepTokens is a dead end).
      if (completion.finishReason === "abort" || (completion.finishReason === "length" && this.meter.exhaustedBy)) continue;
      const step = completion.text;
      const continues =
        !toEnd && completion.finishReason === "stop" && completion.stoppedBy !== "end-of-text" && step.trim().length > 0 && !this.#settings.isFinalStep(step);
      const child = this.tree.add({ parent: node, step, text: node.text + step + (continues ? this.delimiter : ""), finished: !continues });
      this.#tokens.set(child.id, (this.#tokens.get(node.id) ?? 0) + completion.completionTokens);
      children.push(child);
    }
    return children;
  }

  /** Scores the nodes not yet scored, concurrently (verifier work is counted apart from the policy's budget). */
  async score(nodes: SearchNode[]): Promise<void> {
    const pending = nodes.filter((node) => node.score === undefined);
    this.verifierTokens += await scoreCandidates(this.#verifier, this.#prompt, pending, this.#run.abortSignal);
  }

  /** Complete solutions found so far. */
  finished(): SearchNode[] {
    return this.tree.nodes.filter((node) => node.status === "finished");
  }

  /** Chooses the answer among complete solutions, records the tree, and assembles the result. */
  async finish(): Promise<StrategyResult> {
    try {
      const finished = this.finished();
      // Solutions finished in the last wave may not be scored yet (the budget stopped the loop).
      if (!this.#run.abortSignal?.aborted) await this.score(finished);
      const extract = this.#run.extractAnswer ?? defaultExtractAnswer;
      const candidates: Candidate[] = finished.map((node) => ({
        text: node.text,
        answer: extract(node.text),
        finishReason: "stop",
        completionTokens: this.#tokens.get(node.id) ?? 0,
        ...(node.score !== undefined ? { score: node.score } : {}),
      }));
      const select = this.#settings.select;
      let chosen: Candidate | undefined;
      let answer: string | undefined;
      let votes: Record<string, number>;
      let confidence: number;
      if (select === "best") {
        chosen = highestScored(candidates.filter((candidate) => candidate.answer !== undefined)) ?? highestScored(candidates);
        answer = chosen?.answer;
        // For information: how many complete solutions reached each answer; the confidence is the chosen one's score.
        votes = majorityVote(candidates).votes;
        confidence = chosen?.score ?? 0;
      } else {
        const tally = majorityVote(candidates, select === "weighted-vote" ? (candidate) => candidate.score ?? 0 : undefined);
        ({ answer, votes, confidence } = tally);
        chosen = highestScored(candidates.filter((candidate) => answer !== undefined && candidate.answer === answer));
      }
      const chosenNode = chosen ? finished[candidates.indexOf(chosen)] : undefined;
      this.#trace.add("search-tree", this.tree.toTrace(chosenNode) as unknown as Record<string, unknown>);
      return finishRun({
        strategy: this.#name,
        chosen,
        answer,
        confidence,
        candidates,
        votes,
        meter: this.meter,
        abortSignal: this.#run.abortSignal,
        trace: this.#trace.trace,
        warnings: this.warnings,
        verifierTokens: this.verifierTokens,
      });
    } finally {
      this.meter.dispose();
    }
  }
}

/** Orders nodes by score, best first (unscored last); ties keep their order. */
export function byScore(nodes: SearchNode[]): SearchNode[] {
  return [...nodes].sort((a, b) => (b.score ?? -1) - (a.score ?? -1));
}

/**
 * Runs a search body under a step-search run: a budget stop or an abort ends the body early and the
 * run still answers with the best complete solution so far; any other error fails the run.
 */
export async function runStepSearch(run: StepSearchRun, body: () => Promise<void>): Promise<StrategyResult> {
  try {
    await body();
  } catch (error) {
    if (!isStopError(error)) {
      run.meter.dispose();
      throw error;
    }
    run.stopped = true;
  }
  return run.finish();
}
