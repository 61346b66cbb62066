import type { CallOptions } from "./call-options.js";
import type { CodeSandbox } from "./code-sandbox.js";
import type { LanguageModel } from "./language-model.js";
import type { StrategyReport } from "./strategy-report.js";
import type { StreamPart } from "./stream-part.js";
import type { ToolCall, ToolVote } from "./tools.js";
import type { TraceEvent } from "./trace-event.js";

export type { Candidate, RunSettings, StopReason, StrategyReport } from "./strategy-report.js";
export type { SearchNodeStatus, SearchTreeTrace, TraceEvent, TraceEventData, TraceEventType } from "./trace-event.js";

/** A per-run limit. Every field is optional; absent means unlimited. */
export type Budget = {
  /** Prompt plus completion tokens. */
  maxTokens?: number;
  /** Backend calls. */
  maxCalls?: number;
  /** Wall-clock milliseconds. */
  maxWallMs?: number;
  /**
   * FLOPs of every model the run calls, each at its own size (2 per parameter per token): the policy, other
   * models, and the verifier unless `countVerifier` is false. Every model called needs a known parameter count.
   */
  maxFlops?: number;
  /** Money across every model called, each at its own price (`ModelCost.pricePerMillion`); every model needs one. */
  maxMoney?: number;
  /** Whether the verifier's FLOPs and money count toward `maxFlops` and `maxMoney`. Defaults to `true`. */
  countVerifier?: boolean;
};

export type StrategyResult = StrategyReport & {
  /** The chosen candidate's full text ('' when none). */
  text: string;
  /** The chosen candidate's tool calls, where it called tools. */
  toolCalls?: ToolCall[];
};

/**
 * Every service a strategy run may use besides its model, in one object the runtime builds
 * (`mull.environment(policy)`): the library, the CLI, the server, the AI SDK middleware, the bench and runs
 * inside runs all get it from there, so a service added here reaches every entry point at once. Each field
 * is optional for callers that run a strategy by hand; a strategy that needs an absent one is refused before
 * anything is spent, naming what is missing.
 */
export type RunEnvironment = {
  /**
   * Models besides the run's, by spec, for strategies whose parts call several (an architecture component's
   * `model`, a strategy option naming several models). The runtime resolves any spec (each loaded once); the server's
   * environment only the models it serves. Defaults to none: naming another model then fails, saying so.
   */
  resolveModel?: (spec: string) => LanguageModel;
  /**
   * Strategies by spec, for parts that generate with a strategy (an architecture generator's `strategy`), under
   * the caller's policy (a request may not name files). Defaults to none: naming a strategy then fails, saying so.
   */
  resolveStrategy?: (spec: string) => Strategy;
  /** Where model-written code runs. Defaults to none: a strategy that runs code is refused, saying so. */
  sandbox?: CodeSandbox;
  /** Extracts an answer from a completion (the caller's answer grading). Defaults to the strategy's own (`\boxed{}`, `####`, ...). */
  extractAnswer?: (text: string) => string | undefined;
  /** How candidates that call tools are voted on. Defaults to `"arguments"` (name and canonical arguments). */
  toolVote?: ToolVote;
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
  /** Receives each trace event as the strategy records it (the result's `trace` holds them all at the end). */
  onTrace?: (event: TraceEvent) => void;
  /** The services the run may use (models and strategies by spec, the sandbox, answer grading, tool votes), from the runtime. Defaults to none. */
  environment?: RunEnvironment;
};

export type Strategy = {
  readonly name: string;
  /** Every option the strategy runs with, defaults filled in (reported as `settings.options`). */
  readonly options: Readonly<Record<string, unknown>>;
  /** The spec or name of the verifier it scores with, where it has one. */
  readonly verifier?: string;
  /**
   * Refuses, before anything is spent or streamed, a run this strategy cannot do (its environment lacks a service
   * it needs, the prompt or backend does not suit it, the problem lacks what it works on): throws the error `run`
   * would. Callers that must answer before their first byte (a streamed HTTP response) call it first.
   */
  check(options: StrategyRunOptions): void;
  run(options: StrategyRunOptions): Promise<StrategyResult>;
};
