import { BudgetExhaustedError } from "../core/errors/budget-exhausted-error.js";
import type { Completion } from "../core/generate-result.js";
import type { Candidate, StopReason, StrategyResult, TraceEvent } from "../core/strategy.js";
import type { Verifier } from "../core/verifier.js";
import type { Warning } from "../core/warning.js";
import { isAbortError } from "../internal/abort.js";
import type { BudgetMeter } from "../internal/budget-meter.js";

export function toCandidate(completion: Completion, extractAnswer: (text: string) => string | undefined): Candidate {
  const logprobs = completion.logprobs;
  return {
    text: completion.text,
    // A completion cut short by an abort has no trustworthy answer.
    answer: completion.finishReason === "abort" ? undefined : extractAnswer(completion.text),
    finishReason: completion.finishReason,
    completionTokens: completion.completionTokens,
    ...(logprobs && logprobs.length > 0 ? { meanLogprob: logprobs.reduce((sum, item) => sum + item.logprob, 0) / logprobs.length } : {}),
  };
}

/** Why the run stopped, given the meter and the caller's signal. */
export function stopReasonOf(meter: BudgetMeter, callerSignal: AbortSignal | undefined): StopReason | undefined {
  if (callerSignal?.aborted) return "abort";
  if (meter.exhaustedBy) return "budget";
  return undefined;
}

/** True for the errors a run turns into a stop (budget or abort) rather than a failure. */
export function isStopError(error: unknown): boolean {
  return BudgetExhaustedError.isInstance(error) || isAbortError(error);
}

/** Majority vote over non-abstaining answers; ties go to the answer seen first. */
export function majorityVote(
  candidates: Candidate[],
  weight: (candidate: Candidate) => number = () => 1,
): { answer: string | undefined; votes: Record<string, number>; confidence: number } {
  const votes: Record<string, number> = {};
  const order: string[] = [];
  let total = 0;
  for (const candidate of candidates) {
    if (candidate.answer === undefined) continue;
    if (!(candidate.answer in votes)) order.push(candidate.answer);
    const value = weight(candidate);
    votes[candidate.answer] = (votes[candidate.answer] ?? 0) + value;
    total += value;
  }
  let answer: string | undefined;
  for (const item of order) if (answer === undefined || (votes[item] ?? 0) > (votes[answer] ?? 0)) answer = item;
  return { answer, votes, confidence: answer === undefined || total === 0 ? 0 : (votes[answer] ?? 0) / total };
}

export function createTrace(): { trace: TraceEvent[]; add: (type: string, data?: Record<string, unknown>) => void } {
  const started = Date.now();
  const trace: TraceEvent[] = [];
  return { trace, add: (type, data) => trace.push({ atMs: Date.now() - started, type, ...(data ? { data } : {}) }) };
}

/**
 * Assembles a run's result; the stop reason is "adaptive" when a rule settled the answer, else the meter's or
 * the caller's. Without `answer` and `votes`, the chosen candidate's answer wins with a single vote.
 */
export function finishRun(options: {
  strategy: string;
  chosen: Candidate | undefined;
  answer?: string | undefined;
  confidence: number;
  candidates: Candidate[];
  votes?: Record<string, number>;
  meter: BudgetMeter;
  abortSignal: AbortSignal | undefined;
  trace: TraceEvent[];
  warnings: Warning[];
  settled?: boolean;
  verifierTokens?: number;
}): StrategyResult {
  const answer = "answer" in options ? options.answer : options.chosen?.answer;
  return {
    strategy: options.strategy,
    text: options.chosen?.text ?? "",
    answer,
    confidence: options.confidence,
    stopReason: options.settled ? "adaptive" : (stopReasonOf(options.meter, options.abortSignal) ?? "completed"),
    candidates: options.candidates,
    votes: options.votes ?? (answer === undefined ? {} : { [answer]: 1 }),
    usage: options.meter.usage(),
    ...(options.verifierTokens !== undefined ? { verifierTokens: options.verifierTokens } : {}),
    trace: options.trace,
    warnings: options.warnings,
  };
}

/** Scores candidates (or search nodes) with a verifier in parallel (empty text scores 0); returns the tokens the verifier evaluated. */
export async function scoreCandidates(
  verifier: Verifier,
  prompt: string,
  candidates: { text: string; score?: number }[],
  abortSignal: AbortSignal | undefined,
): Promise<number> {
  const tokens = await Promise.all(
    candidates.map(async (candidate) => {
      if (candidate.text.trim().length === 0) {
        candidate.score = 0;
        return 0;
      }
      const result = await verifier.score({ prompt, solution: candidate.text, ...(abortSignal ? { abortSignal } : {}) });
      candidate.score = result.score;
      return result.tokens ?? 0;
    }),
  );
  return tokens.reduce((sum, count) => sum + count, 0);
}

/** The candidate with the highest score; ties go to the earliest. */
export function highestScored(candidates: Candidate[]): Candidate | undefined {
  let chosen: Candidate | undefined;
  for (const candidate of candidates) if (chosen === undefined || (candidate.score ?? 0) > (chosen.score ?? 0)) chosen = candidate;
  return chosen;
}

/** Adds warnings not already present (calls of one run often repeat the same warning). */
export function mergeWarnings(into: Warning[], more: readonly Warning[]): void {
  for (const warning of more) if (!into.some((known) => JSON.stringify(known) === JSON.stringify(warning))) into.push(warning);
}
