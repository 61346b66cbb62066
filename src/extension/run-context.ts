/**
 * The run lifecycle, written once: every strategy run gets a budget meter, a typed trace, seeds, its
 * verifier's per-run session, progress reporting and the assembly of its result. A strategy's own code is
 * then only its algorithm.
 */

import { extractAnswer as defaultExtractAnswer } from "../answers/extract-answer.js";
import type { CodeSandbox } from "../core/code-sandbox.js";
import type { Compute } from "../core/compute-cost.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { LanguageModel } from "../core/language-model.js";
import type { Budget, RunEnvironment, StrategyResult, StrategyRunOptions } from "../core/strategy.js";
import type { Candidate, RunSettings } from "../core/strategy-report.js";
import type { ToolVote } from "../core/tools.js";
import type { TraceEvent, TraceEventData, TraceEventType } from "../core/trace-event.js";
import type { Verifier } from "../core/verifier.js";
import type { Warning } from "../core/warning.js";
import { BudgetMeter } from "../internal/budget-meter.js";
import { budgetMiddleware } from "../middleware/budget-middleware.js";
import { wrapModel } from "../middleware/wrap-model.js";
import { mergeWarnings } from "./merge-warnings.js";
import { sampleCandidates } from "./sample-candidates.js";
import { scoreCandidates } from "./score-candidates.js";

/** What a strategy's algorithm decided; the context turns it into the run's result. */
export type RunOutcome = {
  /** The candidate whose text the run returns. */
  chosen: Candidate | undefined;
  /** Defaults to the chosen candidate's answer. */
  answer?: string | undefined;
  confidence: number;
  candidates: Candidate[];
  /** Defaults to one vote for the answer. */
  votes?: Record<string, number>;
  /** An adaptive rule settled the answer (the stop reason becomes "adaptive"). */
  settled?: boolean;
};

export type SampleOptions = {
  n: number;
  waveSize: number;
  temperature: number;
  onWave?: (candidates: Candidate[]) => void;
  call?: Partial<StrategyRunOptions["call"]>;
  /** Tokens per group for the candidates' confidence signals. Defaults to 16. */
  confidenceWindow?: number;
  /** Samples from this model instead (the run's model wrapped, e.g. with tools in the loop). Defaults to the run's model. */
  model?: LanguageModel;
};

export type RunContext<Options> = {
  readonly name: string;
  /** The strategy's options, validated, defaults filled in. */
  readonly options: Options;
  /**
   * The run's model, metered: every call is admitted against the budget, its `maxTokens` clamped to
   * what is left, cancelled with the run and its usage recorded.
   */
  readonly model: StrategyRunOptions["model"];
  readonly call: StrategyRunOptions["call"];
  readonly budget: Budget | undefined;
  /** The caller's signal (the meter's signal also fires when the budget runs out). */
  readonly abortSignal: AbortSignal | undefined;
  readonly meter: BudgetMeter;
  /** The verifier's per-run session, where the strategy has a verifier. */
  readonly verifier: Verifier | undefined;
  readonly extractAnswer: (text: string) => string | undefined;
  /** How candidates that call tools are voted on. */
  readonly toolVote: ToolVote;
  readonly warnings: Warning[];
  /** Tokens the verifier evaluated so far (outside the policy's token budget). Grows through `score` and `countVerifier`. */
  verifierTokens: number;
  /** Counts tokens the run's verifier evaluated outside `score` (in `verifierTokens` and, at its size, in the run's FLOPs). */
  countVerifier(tokens: number): void;
  /** Counts what a strategy run inside this one spent on its verifiers (its policy calls went through this run's models). */
  countInnerVerifiers(result: { verifierTokens?: number; compute?: Compute }): void;
  trace<Type extends TraceEventType>(type: Type, data: TraceEventData[Type]): void;
  progress(message: string, data?: Record<string, unknown>): void;
  warn(warnings: readonly Warning[]): void;
  /** Samples per call: the given wave size, else `n` without a budget and 4 with one (smaller waves stop closer to it). */
  waveSize(n: number, explicit: number | undefined): number;
  /**
   * Draws up to `n` candidates in waves (see `sampleCandidates`); warnings are collected. `call` overrides
   * fields of the run's call for these samples (a seed of their own, log-probabilities always).
   */
  sample(options: SampleOptions): Promise<Candidate[]>;
  /** Scores candidates with the verifier session (it reads a raw prompt or a conversation); counts its tokens. */
  score(candidates: { text: string; score?: number }[]): Promise<void>;
  /** The prompt as raw text (the definition's `rawPrompt` requirement guarantees it where declared). */
  rawPrompt(): string;
  /** The run's sandbox for model-written code; throws, naming the strategy, where the caller gave none. */
  sandbox(): CodeSandbox;
  /**
   * Another model by spec, metered like the run's (the same budget, signal and usage); the run's model where
   * `spec` is undefined. Throws, naming the spec, where the caller gave no `resolveModel`.
   */
  modelFor(spec: string | undefined): LanguageModel;
  /** Strategies by spec, where the environment resolves them (see `RunEnvironment.resolveStrategy`). */
  readonly resolveStrategy: RunEnvironment["resolveStrategy"];
  /** The run's environment, which a strategy run inside this one gets as it is. */
  readonly environment: RunEnvironment;
};

/** A strategy names another model than the run's, and its caller gave no way to resolve one. */
export const unresolvedModelError = (strategy: string, spec: string) =>
  new InvalidArgumentError({
    parameter: "model",
    value: spec,
    message: `${strategy} calls the model ${JSON.stringify(spec)}, but this run resolves no other models than its own: run it through createMull (or pass an environment from mull.environment())`,
  });

/** The run's model for `undefined`, else another by spec, metered on the run's meter (one wrapper per spec). */
function modelResolver(options: { name: string; environment: RunEnvironment; model: LanguageModel; meter: BudgetMeter }) {
  const { name, environment, model, meter } = options;
  const others = new Map<string, LanguageModel>();
  return (spec: string | undefined): LanguageModel => {
    if (spec === undefined) return model;
    const known = others.get(spec);
    if (known) return known;
    if (!environment.resolveModel) throw unresolvedModelError(name, spec);
    const metered = wrapModel({ model: environment.resolveModel(spec), middleware: budgetMiddleware({ meter, role: "model" }) });
    others.set(spec, metered);
    return metered;
  };
}

/** A strategy runs model-written code, and its environment has no sandbox (a library caller running it by hand). */
export const missingSandboxError = (strategy: string) =>
  new InvalidArgumentError({
    parameter: "sandbox",
    message: `${strategy} runs model-written code and needs a sandbox: run it through createMull, or pass environment.sandbox (createSandbox from mull/sandbox)`,
  });

/** A strategy generates with another strategy, and its caller gave no way to resolve one. */
export const unresolvedStrategyError = (strategy: string, spec: string) =>
  new InvalidArgumentError({
    parameter: "strategy",
    value: spec,
    message: `${strategy} runs the strategy ${JSON.stringify(spec)}, but this run resolves no strategies: run it through createMull (or pass an environment from mull.environment())`,
  });

/**
 * The verifier as the meter counts it; a budget on FLOPs or money that counts the verifier is refused before anything
 * is spent where the verifier cannot be counted.
 */
function verifierSourceOf(verifier: Verifier | undefined, meter: BudgetMeter, budget: Budget | undefined) {
  if (!verifier) return undefined;
  const source = { id: verifier.name, ...(verifier.cost ? { cost: verifier.cost } : {}) };
  if (budget?.countVerifier !== false) meter.requireCost({ ...source, role: "verifier" });
  return source;
}

/** What a run inside this one spent on its verifiers (its policy calls already went through this run's models). */
function countInner(context: { verifierTokens: number }, meter: BudgetMeter, result: { verifierTokens?: number; compute?: Compute }): void {
  context.verifierTokens += result.verifierTokens ?? 0;
  for (const [id, spend] of Object.entries(result.compute?.models ?? {})) if (spend.role === "verifier") meter.addSpend(id, spend);
}

export function createRunContext<Options>(options: {
  name: string;
  options: Options;
  settings: Omit<RunSettings, "model">;
  verifier: Verifier | undefined;
  run: StrategyRunOptions;
}): RunContext<Options> & { finish(outcome: RunOutcome): StrategyResult; dispose(): void } {
  const { run, name } = options;
  const environment = run.environment ?? {};
  const meter = new BudgetMeter({ ...(run.budget ? { budget: run.budget } : {}), ...(run.abortSignal ? { abortSignal: run.abortSignal } : {}) });
  const started = Date.now();
  const trace: TraceEvent[] = [];
  const warnings: Warning[] = [];
  const extractAnswer = environment.extractAnswer ?? defaultExtractAnswer;
  const model = wrapModel({ model: run.model, middleware: budgetMiddleware({ meter }) });
  const verifier = options.verifier ? (options.verifier.session?.() ?? options.verifier) : undefined;
  const verifierSource = verifierSourceOf(verifier, meter, run.budget);
  const modelFor = modelResolver({ name, environment, model, meter });
  const rawPrompt = (): string => {
    if (typeof run.call.prompt !== "string") throw new Error(`${name}: a raw-text prompt was required but not checked`);
    return run.call.prompt;
  };
  const context = {
    name,
    options: options.options,
    model,
    call: run.call,
    budget: run.budget,
    abortSignal: run.abortSignal,
    meter,
    verifier,
    extractAnswer,
    toolVote: environment.toolVote ?? "arguments",
    warnings,
    verifierTokens: 0,
    trace<Type extends TraceEventType>(type: Type, data: TraceEventData[Type]) {
      const event = { atMs: Date.now() - started, type, data } as TraceEvent;
      trace.push(event);
      run.onTrace?.(event);
    },
    progress(message: string, data?: Record<string, unknown>) {
      run.onProgress?.({ type: "progress", message, usage: meter.usage(), ...(data ? { data } : {}) });
    },
    warn: (more: readonly Warning[]) => mergeWarnings(warnings, more),
    waveSize: (n: number, explicit: number | undefined) => explicit ?? (run.budget ? Math.min(n, 4) : n),
    async sample({ call, model: sampler, ...sampling }: SampleOptions) {
      const drawn = await sampleCandidates({
        model: sampler ?? model,
        call: { ...run.call, ...call },
        signal: meter.signal,
        extractAnswer,
        toolVote: environment.toolVote ?? "arguments",
        ...sampling,
      });
      mergeWarnings(warnings, drawn.warnings);
      return drawn.candidates;
    },
    async score(candidates: { text: string; score?: number }[]) {
      if (!verifier) throw new Error(`${name}: scoring needs a verifier`);
      const { tokens } = await scoreCandidates({ verifier, prompt: run.call.prompt, candidates, abortSignal: run.abortSignal });
      context.countVerifier(tokens);
    },
    countVerifier(tokens: number) {
      context.verifierTokens += tokens;
      if (verifierSource) meter.recordVerifier(tokens, verifierSource);
    },
    countInnerVerifiers: (result: { verifierTokens?: number; compute?: Compute }) => countInner(context, meter, result),
    rawPrompt,
    modelFor,
    resolveStrategy: environment.resolveStrategy,
    environment,
    sandbox() {
      if (environment.sandbox) return environment.sandbox;
      throw missingSandboxError(name);
    },
    finish(outcome: RunOutcome): StrategyResult {
      const answer = "answer" in outcome ? outcome.answer : outcome.chosen?.answer;
      const stopReason = outcome.settled ? "adaptive" : run.abortSignal?.aborted ? "abort" : meter.exhaustedBy ? "budget" : "completed";
      return {
        strategy: name,
        text: outcome.chosen?.text ?? "",
        ...(outcome.chosen?.toolCalls ? { toolCalls: outcome.chosen.toolCalls } : {}),
        answer,
        confidence: outcome.confidence,
        stopReason,
        candidates: outcome.candidates,
        votes: outcome.votes ?? (answer === undefined ? {} : { [answer]: 1 }),
        usage: meter.usage(),
        ...(verifier ? { verifierTokens: context.verifierTokens } : {}),
        compute: meter.compute(),
        trace,
        warnings,
        settings: { ...options.settings, model: run.model.modelId },
      };
    },
    dispose: () => meter.dispose(),
  };
  return context;
}
