/**
 * What every step-level search shares: continuing a partial solution by one step (a raw-prompt completion
 * that stops at the step delimiter), scoring partial solutions with a process reward model, the search
 * tree, the budget, and the final choice among complete solutions.
 */

import { setMaxListeners } from "node:events";
import { z } from "zod";
import type { ChatMessage } from "../../core/call-options.js";
import type { Candidate } from "../../core/strategy-report.js";
import type { TraceEventData, TraceEventType } from "../../core/trace-event.js";
import type { RunContext, RunOutcome } from "../../extension/run-context.js";
import { isStopError } from "../../extension/stop-error.js";
import { contentText } from "../../internal/prompt-text.js";
import { callSeedStride, seedAt } from "../../internal/seeds.js";
import { highestScored, majorityVote } from "../majority-vote.js";
import { samplesOption, temperatureOption } from "../sampling-options.js";
import { type SearchNode, SearchTree } from "./search-tree.js";

export type FinalSelection = "best" | "weighted-vote" | "majority";

/**
 * What every step-level search requires: a verifier (a PRM) and a backend that continues a partial
 * solution: raw-text completions for a raw prompt, assistant-message continuation for a chat prompt.
 */
export const stepSearchRequirements = {
  verifier: "required",
  continuesText: true,
  searchesSteps: true,
} as const;

/** The options every step-level search takes, with each search's reference defaults. */
export function stepSearchOptions(defaults: { n?: number; nDescription: string; temperature: number; select: FinalSelection }) {
  return {
    n: samplesOption(defaults.n ?? 16, defaults.nDescription),
    temperature: temperatureOption(defaults.temperature),
    stepDelimiter: z.string().min(1).optional().describe('Ends one step. Absent: the model\'s ("\\n" for the bundled model), else a blank line'),
    maxSteps: z.number().int().min(1).max(1000).default(40).describe("Most steps in one solution; the step at this depth is generated to the end"),
    maxStepTokens: z.number().int().min(1).max(100_000).default(256).describe("Most tokens in one step"),
    select: z.enum(["best", "weighted-vote", "majority"]).default(defaults.select).describe("How the answer is chosen among complete solutions"),
  };
}

/** What a search run reads from its options. */
export type StepSearchSettings = { temperature: number; stepDelimiter?: string | undefined; maxSteps: number; maxStepTokens: number; select: FinalSelection };

/**
 * A step completes the solution when it holds a final answer (`####`, `\boxed{`, or "the answer is"); a step
 * the model ends with its end-of-text token, an empty step and a step cut at `maxStepTokens` also end one.
 */
const finalAnswerPattern = /####|\\boxed\{|the answer is/i;

/** One run of a step-level search: the run context, the tree, and the tokens behind each node. */
export class StepSearchRun {
  readonly tree = new SearchTree();
  readonly delimiter: string;
  /** Set once the budget ran out or the caller aborted: no more expansions. */
  stopped = false;
  readonly #context: RunContext<StepSearchSettings>;
  readonly #prompt: string | ChatMessage[];
  readonly #tokens = new Map<number, number>();
  #calls = 0;

  constructor(context: RunContext<StepSearchSettings>) {
    this.#context = context;
    this.#prompt = context.call.prompt;
    this.delimiter = context.options.stepDelimiter ?? context.model.stepDelimiter ?? "\n\n";
    // Every concurrent expansion listens on the run's signal; that is expected, not a leak.
    setMaxListeners(1000, context.meter.signal);
  }

  get root(): SearchNode {
    return this.tree.root;
  }

  /** Records an event in the run's trace. */
  note<Type extends TraceEventType>(type: Type, data: TraceEventData[Type]): void {
    this.#context.trace(type, data);
  }

  progress(message: string, data?: Record<string, unknown>): void {
    this.#context.progress(`${this.#context.name}: ${message}`, data);
  }

  /**
   * Samples `count` next steps of `node` in one call (concurrent samples). Returns fewer, possibly none,
   * once the budget runs out or the run is aborted. At `maxSteps` (or with `toEnd`) the rest of the
   * solution is generated as one final step.
   */
  async expand(node: SearchNode, count: number, options: { temperature?: number; toEnd?: boolean } = {}): Promise<SearchNode[]> {
    if (this.stopped || count < 1) return [];
    const settings = this.#context.options;
    const toEnd = options.toEnd === true || node.depth + 1 >= settings.maxSteps;
    const call = this.#context.call;
    const seed = seedAt(call.seed, this.#calls, callSeedStride);
    this.#calls++;
    const meter = this.#context.meter;
    const result = await this.#context.model
      .doGenerate({
        ...call,
        prompt: continuing(this.#prompt, node.text),
        n: count,
        temperature: options.temperature ?? settings.temperature,
        maxTokens: toEnd ? (call.maxTokens ?? 1024) : Math.min(settings.maxStepTokens, call.maxTokens ?? Number.POSITIVE_INFINITY),
        ...(toEnd ? {} : { stop: [this.delimiter] }),
        ...(seed !== undefined ? { seed } : {}),
      })
      .catch((error: unknown) => {
        if (isStopError(error)) return undefined;
        throw error;
      });
    if (!result || meter.signal.aborted) this.stopped = true;
    if (!result) return [];
    this.#context.warn(result.warnings);
    const children: SearchNode[] = [];
    for (const completion of result.completions) {
      // A step cut short by the budget or an abort is not a step (one cut at maxStepTokens is a dead end).
      if (completion.finishReason === "abort" || (completion.finishReason === "length" && meter.exhaustedBy)) continue;
      const step = completion.text;
      const continues =
        !toEnd && completion.finishReason === "stop" && completion.stoppedBy !== "end-of-text" && step.trim().length > 0 && !finalAnswerPattern.test(step);
      const child = this.tree.add({ parent: node, step, text: node.text + step + (continues ? this.delimiter : ""), finished: !continues });
      this.#tokens.set(child.id, (this.#tokens.get(node.id) ?? 0) + completion.completionTokens);
      children.push(child);
    }
    return children;
  }

  /** Scores the nodes not yet scored, concurrently (verifier work is counted apart from the policy's budget). */
  async score(nodes: SearchNode[]): Promise<void> {
    await this.#context.score(nodes.filter((node) => node.score === undefined));
  }

  /** Complete solutions found so far. */
  finished(): SearchNode[] {
    return this.tree.nodes.filter((node) => node.status === "finished");
  }

  /** Chooses the answer among complete solutions and records the tree. */
  async finish(): Promise<RunOutcome> {
    const finished = this.finished();
    // Solutions finished in the last wave may not be scored yet (the budget stopped the loop).
    if (!this.#context.abortSignal?.aborted) await this.score(finished);
    const candidates: Candidate[] = finished.map((node) => ({
      text: node.text,
      answer: this.#context.extractAnswer(node.text),
      finishReason: "stop",
      completionTokens: this.#tokens.get(node.id) ?? 0,
      ...(node.score !== undefined ? { score: node.score } : {}),
    }));
    const outcome = selectFinal(candidates, this.#context.options.select);
    const chosenNode = outcome.chosen ? finished[candidates.indexOf(outcome.chosen)] : undefined;
    this.#context.trace("search-tree", this.tree.toTrace(chosenNode));
    return outcome;
  }
}

/** The final choice among complete solutions: the best scored, or a (score-weighted) vote. */
function selectFinal(candidates: Candidate[], select: FinalSelection): RunOutcome {
  if (select === "best") {
    const chosen = highestScored(candidates.filter((candidate) => candidate.answer !== undefined)) ?? highestScored(candidates);
    // For information: how many complete solutions reached each answer; the confidence is the chosen one's score.
    return { chosen, answer: chosen?.answer, votes: majorityVote(candidates).votes, confidence: chosen?.score ?? 0, candidates };
  }
  const { answer, votes, confidence } = majorityVote(candidates, select === "weighted-vote" ? (candidate) => candidate.score ?? 0 : undefined);
  const chosen = highestScored(candidates.filter((candidate) => answer !== undefined && candidate.answer === answer));
  return { chosen, answer, votes, confidence, candidates };
}

/** Orders nodes by score, best first (unscored last); ties keep their order. */
export function byScore(nodes: SearchNode[]): SearchNode[] {
  return [...nodes].sort((a, b) => (b.score ?? -1) - (a.score ?? -1));
}

/**
 * Runs a search body under a step-search run: a budget stop or an abort ends the body early and the
 * run still answers with the best complete solution so far; any other error fails the run.
 */
export async function runStepSearch(run: StepSearchRun, body: () => Promise<void>): Promise<RunOutcome> {
  try {
    await body();
  } catch (error) {
    if (!isStopError(error)) throw error;
    run.stopped = true;
  }
  return run.finish();
}

/**
 * The prompt that continues a partial solution: raw text with the solution appended, or the conversation
 * with the solution as the assistant's message so far (appended to one the conversation already ends with).
 */
function continuing(prompt: string | ChatMessage[], partial: string): string | ChatMessage[] {
  if (typeof prompt === "string") return prompt + partial;
  if (partial.length === 0) return prompt;
  const last = prompt.at(-1);
  if (last?.role === "assistant") return [...prompt.slice(0, -1), { ...last, content: `${contentText(last.content)}${partial}` }];
  return [...prompt, { role: "assistant", content: partial }];
}
