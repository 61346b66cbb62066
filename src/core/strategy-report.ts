import type { Compute } from "./compute-cost.js";
import type { FinishReason } from "./finish-reason.js";
import type { ToolCall } from "./tools.js";
import type { TraceEvent } from "./trace-event.js";
import type { Usage } from "./usage.js";
import type { Warning } from "./warning.js";

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
  /**
   * Token confidence signals after DeepConf, where the backend returned top log-probabilities (a call with
   * `topLogprobs` >= 2): mean, lowest group (lowest mean over `window` consecutive tokens), tail (last
   * `window` tokens) and mean top-k entropy. Higher confidence, lower entropy: the model hesitated less.
   */
  confidence?: { mean: number; lowestGroup: number; tail: number; entropy: number; window: number; selfCertainty?: number };
  /** Verifier score, where a verifier scored it. */
  score?: number;
  /** The model that wrote it, where a strategy called several (absent: the run's). */
  model?: string;
  /** The tools it called; its answer is then the tool call (see `ToolVote`). */
  toolCalls?: ToolCall[];
};

/**
 * The settings a run actually ran with: the strategy and every one of its options with defaults filled in,
 * the verifier and the model. The same spec gives the same settings from every entry point.
 */
export type RunSettings = {
  strategy: string;
  options: Record<string, unknown>;
  /** The verifier's spec (or its name where it was built by hand); absent without one. */
  verifier?: string;
  /** The model's spec where a runtime resolved it, else its id. */
  model?: string;
};

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
  /** Tokens verifiers evaluated, counted apart from the policy's usage (and outside its token budget). */
  verifierTokens?: number;
  /**
   * What every model the run called spent, each at its own size and price: FLOPs (verifier included), money,
   * per model. Absent from results assembled outside the run context (older stored runs).
   */
  compute?: Compute;
  trace: TraceEvent[];
  warnings: Warning[];
  /** What it ran with. */
  settings: RunSettings;
  /**
   * Where one request ran the strategy several times (a model's `n`): each run's answer and usage, in choice order;
   * the report's own fields are the first run's, its `usage` all of them. Absent: one run.
   */
  runs?: { answer: string | undefined; usage: Usage }[];
};
