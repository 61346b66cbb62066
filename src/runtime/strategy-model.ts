import { getMaxListeners, setMaxListeners } from "node:events";
import type { CallOptions } from "../core/call-options.js";
import { addCompute } from "../core/compute-cost.js";
import type { GenerateResult } from "../core/generate-result.js";
import type { LanguageModel } from "../core/language-model.js";
import type { Budget, RunEnvironment, Strategy, StrategyReport, StrategyResult, StrategyRunOptions } from "../core/strategy.js";
import type { StreamPart } from "../core/stream-part.js";
import type { TraceEvent } from "../core/trace-event.js";
import { addUsage, emptyUsage } from "../core/usage.js";
import type { Warning } from "../core/warning.js";
import { mergeWarnings } from "../extension/merge-warnings.js";
import { capabilitiesOf } from "../middleware/model-capabilities.js";

/**
 * A strategy wrapped around a model is again a model: its completion is the strategy's chosen text, its
 * usage everything the strategy spent, and its result carries the strategy's report. It keeps every
 * capability of the model it wraps (prompt format, raw prompts, step delimiter, token scoring), so that
 * strategies compose. `n` runs the strategy that many times, concurrently, each choice a full run: the budget
 * is the whole call's (each run gets its share), the usage and report cover every run, and a warning says so. Its stream carries the runs'
 * progress and typed trace events as they happen, then the chosen texts. A run the strategy would refuse
 * (`Strategy.check`) fails when the stream is opened, before its first part, so a server answers it with an
 * HTTP error rather than an error event. Built by the runtime (`mull.asModel`), which gives it its environment.
 */
export type StrategyModelOptions = {
  strategy: Strategy;
  model: LanguageModel;
  /** What every run spends at most. Defaults to no limit. */
  budget?: Budget;
  /** The services the runs get. Defaults to none here; `mull.asModel` gives the runtime's. */
  environment?: RunEnvironment;
  /** Sees the runs' progress and trace parts as they happen, streamed or not (a debugger). Defaults to none. */
  observe?: (part: Extract<StreamPart, { type: "progress" | "trace" }>) => void;
};

export function strategyModel(options: StrategyModelOptions): LanguageModel {
  const { strategy, model, budget } = options;
  const runOptions = (call: CallOptions): StrategyRunOptions => {
    const { n, abortSignal, ...rest } = call;
    const share = budget ? budgetShare(budget, n ?? 1) : undefined;
    return {
      model,
      call: rest,
      ...(share ? { budget: share } : {}),
      ...(abortSignal ? { abortSignal } : {}),
      ...(options.environment ? { environment: options.environment } : {}),
    };
  };
  const run = (call: CallOptions, index: number, stream?: (part: StreamPart) => void): Promise<StrategyResult> => {
    const { observe } = options;
    const emit =
      stream && observe
        ? (part: Extract<StreamPart, { type: "progress" | "trace" }>) => {
            observe(part);
            stream(part);
          }
        : (stream ?? observe);
    return strategy.run({
      ...runOptions(call),
      ...(emit ? { onProgress: emit, onTrace: (event: TraceEvent) => emit({ type: "trace", run: index, event }) } : {}),
    });
  };
  const runAll = (call: CallOptions, emit?: (part: StreamPart) => void) => {
    // Each of the n runs listens to the caller's signal until it ends: n listeners at once is expected, not a leak.
    if (call.abortSignal && (call.n ?? 1) > 1) setMaxListeners(Math.max(getMaxListeners(call.abortSignal), (call.n ?? 1) + 10), call.abortSignal);
    return Promise.all(Array.from({ length: call.n ?? 1 }, (_, index) => run(call, index, emit)));
  };
  return {
    specificationVersion: "v1",
    provider: "mull-strategy",
    modelId: `${strategy.name}/${model.modelId}`,
    ...capabilitiesOf(model),
    supportsRawPrompt: model.supportsRawPrompt ?? true,
    ...(model.doScoreTokens ? { doScoreTokens: model.doScoreTokens.bind(model) } : {}),
    async doGenerate(call) {
      const result = toResult(await runAll(call));
      const said = [...callWarnings(strategy.name, call), ...result.warnings];
      return { ...result, warnings: said };
    },
    async doStream(call) {
      // Refused here, the stream never opens: the caller answers with an error before its first byte.
      strategy.check(runOptions(call));
      return new ReadableStream<StreamPart>({
        async start(controller) {
          controller.enqueue({ type: "stream-start", warnings: callWarnings(strategy.name, call) });
          try {
            const merged = toResult(await runAll(call, (part) => controller.enqueue(part)));
            merged.completions.forEach((completion, index) => {
              if (completion.text !== "") controller.enqueue({ type: "text-delta", index, delta: completion.text });
              for (const toolCall of completion.toolCalls ?? []) controller.enqueue({ type: "tool-call", index, toolCall });
              controller.enqueue({ type: "completion-end", index, finishReason: completion.finishReason, completionTokens: completion.completionTokens });
            });
            controller.enqueue({ type: "end", usage: merged.usage, ...(merged.metadata ? { metadata: merged.metadata } : {}) });
          } catch (error) {
            controller.enqueue({ type: "error", error });
          }
          controller.close();
        },
      });
    },
  };
}

/** Said when a caller asks a strategy for log-probabilities, which it does not return. */
const noLogprobs: Warning = {
  type: "unsupported",
  feature: "logprobs",
  details: "a strategy's answer is chosen among its candidates; per-token log-probabilities of the chosen text are not returned",
};

/** The budget of one of `n` runs: tokens and calls shared out (at least one each), the time limit the same. */
function budgetShare(budget: Budget, n: number): Budget {
  if (n <= 1) return budget;
  const share = (value: number | undefined) => (value === undefined ? undefined : Math.max(1, Math.floor(value / n)));
  const maxTokens = share(budget.maxTokens);
  const maxCalls = share(budget.maxCalls);
  const fraction = (value: number | undefined) => (value === undefined ? undefined : value / n);
  const maxFlops = fraction(budget.maxFlops);
  const maxMoney = fraction(budget.maxMoney);
  return {
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    ...(maxCalls !== undefined ? { maxCalls } : {}),
    ...(budget.maxWallMs !== undefined ? { maxWallMs: budget.maxWallMs } : {}),
    ...(maxFlops !== undefined ? { maxFlops } : {}),
    ...(maxMoney !== undefined ? { maxMoney } : {}),
    ...(budget.countVerifier !== undefined ? { countVerifier: budget.countVerifier } : {}),
  };
}

/** What a call is told before its runs: log-probabilities it will not get, and `n` multiplying the strategy. */
function callWarnings(name: string, call: CallOptions): Warning[] {
  const n = call.n ?? 1;
  return [
    ...(call.logprobs ? [noLogprobs] : []),
    ...(n > 1
      ? [
          {
            type: "other" as const,
            message: `n: ${n} runs ${name} ${n} times, each choice a full run; the usage covers all ${n}, and a budget is shared among them`,
          },
        ]
      : []),
  ];
}

/** The runs as one model result: a completion per run, usage summed, every run's warnings, the first run's report. */
function toResult(results: StrategyResult[]): GenerateResult {
  const first = results[0] as StrategyResult;
  const usage = results.reduce((total, result) => addUsage(total, result.usage), emptyUsage());
  const verifierTokens = results.some((result) => result.verifierTokens !== undefined)
    ? results.reduce((sum, result) => sum + (result.verifierTokens ?? 0), 0)
    : undefined;
  const computes = results.map((result) => result.compute).filter((compute) => compute !== undefined);
  const compute = computes.length > 0 ? computes.reduce(addCompute) : undefined;
  const warnings: Warning[] = [];
  for (const result of results) mergeWarnings(warnings, result.warnings);
  return {
    completions: results.map((result) => ({
      text: result.text,
      finishReason: result.stopReason === "abort" ? "abort" : result.stopReason === "budget" ? "length" : result.toolCalls ? "tool-calls" : "stop",
      completionTokens: result.usage.completionTokens,
      ...(result.toolCalls ? { toolCalls: result.toolCalls } : {}),
    })),
    usage,
    warnings,
    metadata: {
      mull: {
        ...first,
        usage,
        warnings,
        ...(verifierTokens !== undefined ? { verifierTokens } : {}),
        ...(compute ? { compute } : {}),
        ...(results.length > 1 ? { runs: results.map((result) => ({ answer: result.answer, usage: result.usage })) } : {}),
      },
    },
  };
}

// A strategy wrapped around a model reports under `mull` in its result's metadata (core's `ResultMetadata` is open).
declare module "../core/generate-result.js" {
  interface ResultMetadata {
    /** The report of a strategy wrapped around a model: the first run's, with every run's usage and warnings. */
    mull?: StrategyReport;
  }
}
