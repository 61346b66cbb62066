import type { CallOptions } from "./call-options.js";
import type { FinishReason } from "./generate-result.js";
import type { LanguageModel } from "./language-model.js";
import type { StreamPart } from "./stream-part.js";
import type { Usage } from "./usage.js";
import type { Warning } from "./warning.js";

/** A per-run limit. Every field is optional; absent means unlimited. */
export type Budget = {
  /** Prompt plus completion tokens. */
  maxTokens?: number;
  /** Backend calls. */
  maxCalls?: number;
  /** Wall-clock milliseconds. */
  maxWallMs?: number;
};

/** Why a run ended. */
export type StopReason =
  /** Did all the work it planned. */
  | "completed"
  /** The budget ran out; the answer is the best so far. */
  | "budget"
  /** An adaptive rule decided the answer was settled. */
  | "adaptive"
  /** The caller aborted. */
  | "abort";

export type Candidate = {
  text: string;
  /** Extracted answer; undefined is an abstention. */
  answer: string | undefined;
  finishReason: FinishReason;
  completionTokens: number;
  /** Mean token log-probability, where the backend returned log-probabilities. */
  meanLogprob?: number;
  /** Verifier score, where a verifier scored it. */
  score?: number;
};

export type TraceEvent = { atMs: number; type: string; data?: Record<string, unknown> };

/** What a strategy run reports besides its text. */
export type StrategyReport = {
  strategy: string;
  answer: string | undefined;
  /** In [0, 1]; for votes, the winner's share of non-abstaining votes. */
  confidence: number;
  stopReason: StopReason;
  candidates: Candidate[];
  /** Answer -> count (or weight). */
  votes: Record<string, number>;
  usage: Usage;
  /** Tokens verifiers evaluated, counted apart from the policy's usage (and outside its budget). */
  verifierTokens?: number;
  trace: TraceEvent[];
  warnings: Warning[];
};

export type StrategyResult = StrategyReport & {
  /** The chosen candidate's full text ('' when none). */
  text: string;
};

/** What a strategy needs from its caller for one run. */
export type StrategyRunOptions = {
  model: LanguageModel;
  /** The prompt and sampling settings; `n` is the strategy's to set. */
  call: Omit<CallOptions, "n" | "abortSignal">;
  budget?: Budget;
  abortSignal?: AbortSignal;
  /** Receives progress parts while the strategy works. */
  onProgress?: (part: Extract<StreamPart, { type: "progress" }>) => void;
  /** Extracts an answer from a completion. Defaults to the strategy's own (e.g. `#### n`, `\boxed{}`). */
  extractAnswer?: (text: string) => string | undefined;
};

export type Strategy = {
  readonly name: string;
  run(options: StrategyRunOptions): Promise<StrategyResult>;
};
