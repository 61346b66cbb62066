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
};

export type StrategyResult = StrategyReport & {
  /** The chosen candidate's full text ('' when none). */
  text: string;
  /** The chosen candidate's tool calls, where it called tools. */
  toolCalls?: ToolCall[];
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
  /** Extracts an answer from a completion. Defaults to the strategy's own (e.g. `#### n`, `\boxed{}`). */
  extractAnswer?: (text: string) => string | undefined;
  /** How candidates that call tools are voted on. Defaults to `"arguments"` (name and canonical arguments). */
  toolVote?: ToolVote;
  /**
   * Where model-written code runs, for strategies that execute it (`pot`, tools in the loop). Defaults to none:
   * such a strategy then fails with an error saying so. `createMull` passes one, created on first use.
   */
  sandbox?: CodeSandbox;
  /**
   * Models besides the run's, by spec, for strategies whose parts call several (an architecture component's
   * `model`, mixture-of-agents' `models`). `createMull` passes its own (each spec loaded once); the server one
   * that knows only the models it serves. Defaults to none: naming another model then fails, saying so.
   */
  resolveModel?: (spec: string) => LanguageModel;
  /**
   * Strategies by spec, for parts that generate with a strategy (an architecture generator's `strategy`).
   * `createMull` passes its own; the server one that refuses what a request may not name (files). Defaults to
   * none: naming a strategy then fails, saying so.
   */
  resolveStrategy?: (spec: string) => Strategy;
};

export type Strategy = {
  readonly name: string;
  /** Every option the strategy runs with, defaults filled in (reported as `settings.options`). */
  readonly options: Readonly<Record<string, unknown>>;
  /** The spec or name of the verifier it scores with, where it has one. */
  readonly verifier?: string;
  run(options: StrategyRunOptions): Promise<StrategyResult>;
};
