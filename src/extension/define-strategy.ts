/**
 * One definition per strategy: its name, its options schema (the single source of their names, types,
 * bounds, defaults and docs), what it requires (a verifier, a raw-text prompt) and its algorithm. The
 * library factories, the registry, the CLI, the server and the bench all build strategies from it.
 */
import type { z } from "zod";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { Strategy, StrategyResult, StrategyRunOptions } from "../core/strategy.js";
import type { Verifier } from "../core/verifier.js";
import { inSpan } from "../internal/telemetry.js";
import { type OptionsSchema, parseOptions } from "./option-schema.js";
import { createRunContext, missingSandboxError, type RunContext, type RunOutcome, unresolvedModelError, unresolvedStrategyError } from "./run-context.js";

/** Whether a strategy scores with a verifier, given its options. */
export type VerifierNeed = "required" | "optional" | "none";

/** What `create` takes besides the options: the verifier, and how to report it. */
export type StrategyDependencies = {
  /** Scores candidates, where the strategy uses one. */
  verifier?: Verifier;
  /** How `settings.verifier` names it. Defaults to the verifier's name. */
  verifierSpec?: string;
};

/**
 * How a strategy prices its spending, for a batch allocator that spreads one token budget over a set of questions
 * (`mull bench --budget-total`): each question gets a price of a token, and the strategy spends what it is worth.
 */
export type BudgetAllocation<Options> = {
  /** What a question is expected to spend at a price (right answers per token), where these options price; else undefined. */
  spendAtPrice(options: Options): ((price: number) => number) | undefined;
  /** The option the allocator sets to the price. */
  priceOption: string;
  /** How a user asks for a strategy that prices, for error messages (a spec). */
  usage: string;
};

export type StrategyDefinition<Schema extends OptionsSchema = OptionsSchema> = {
  readonly name: string;
  /** One line: what it does, with its source. */
  readonly description: string;
  readonly options: Schema;
  /** Whether it continues partial solutions (step-level search): as raw text, or as the assistant's unfinished chat message. */
  readonly continuesText: boolean;
  /** Whether it runs model-written code with these options (its environment then needs a sandbox). */
  needsSandbox(options: z.output<Schema>): boolean;
  /** Whether it searches partial solutions step by step and traces a tree of steps (`search-tree`). */
  readonly searchesSteps: boolean;
  /** How it prices its spending for a batch allocator, where it can. */
  readonly allocatesBudget?: BudgetAllocation<z.output<Schema>>;
  /** Validates options and fills in defaults (also those `resolve` derives), without building anything. */
  parseOptions(input: unknown): z.output<Schema>;
  /** Whether it needs a verifier with these options (a runtime loads one only where it is used). */
  verifierNeed(options: z.output<Schema>): VerifierNeed;
  /** Validates the options (defaults filled in) and returns a runnable strategy. */
  create(input?: z.input<Schema> & StrategyDependencies): Strategy;
};

export function defineStrategy<Schema extends OptionsSchema>(definition: {
  name: string;
  description: string;
  options: Schema;
  /** Defaults to `"none"`. */
  verifier?: VerifierNeed | ((options: z.output<Schema>) => VerifierNeed);
  /**
   * Why it needs a raw-text prompt, where it does (continuing partial solutions, or a verifier that
   * reads the prompt as text); checked before anything is spent. Defaults to not needing one.
   */
  rawPrompt?: (options: z.output<Schema>, verifier: Verifier | undefined) => string | undefined;
  /** Whether it needs a backend that continues raw text (not a chat-only one). Defaults to `false`. */
  continuesText?: boolean;
  /** Whether it searches partial solutions step by step, tracing a tree of steps (`search-tree`). Defaults to `false`. */
  searchesSteps?: boolean;
  /** How it prices its spending for a batch allocator (see `BudgetAllocation`). Defaults to none: it cannot. */
  allocatesBudget?: BudgetAllocation<z.output<Schema>>;
  /** Whether it runs model-written code (its environment must then have a sandbox); checked before anything is spent. Defaults to `false`. */
  needsSandbox?: boolean | ((options: z.output<Schema>) => boolean);
  /**
   * Why it cannot work on this prompt, where it cannot (code selection on a problem that shows no tests and
   * cannot have the model write any); checked before anything is spent. Defaults to accepting every prompt.
   */
  checkProblem?: (prompt: StrategyRunOptions["call"]["prompt"], options: z.output<Schema>) => string | undefined;
  /** Fills in defaults that depend on other options (e.g. `k` from `n`), so that settings report them. Defaults to none. */
  resolve?: (options: z.output<Schema>) => z.output<Schema>;
  /** The models its options name besides the run's (resolved before anything is spent). Defaults to none. */
  models?: (options: z.output<Schema>) => string[];
  /** The strategies its options run inside it (resolved, so validated, before anything is spent). Defaults to none. */
  strategies?: (options: z.output<Schema>) => string[];
  run(context: RunContext<z.output<Schema>>): Promise<RunOutcome>;
}): StrategyDefinition<Schema> {
  const { name } = definition;
  const verifierNeed = (options: z.output<Schema>): VerifierNeed =>
    typeof definition.verifier === "function" ? definition.verifier(options) : (definition.verifier ?? "none");
  const needsSandbox = (options: z.output<Schema>): boolean =>
    typeof definition.needsSandbox === "function" ? definition.needsSandbox(options) : definition.needsSandbox === true;
  const parse = (input: unknown): z.output<Schema> => {
    const parsed = parseOptions({ owner: name, schema: definition.options, input });
    return definition.resolve ? definition.resolve(parsed) : parsed;
  };
  return {
    name,
    description: definition.description,
    options: definition.options,
    continuesText: definition.continuesText === true,
    searchesSteps: definition.searchesSteps === true,
    ...(definition.allocatesBudget ? { allocatesBudget: definition.allocatesBudget } : {}),
    needsSandbox,
    parseOptions: parse,
    verifierNeed,
    create(input = {} as z.input<Schema> & StrategyDependencies): Strategy {
      const { verifier, verifierSpec, ...rest } = input as StrategyDependencies & Record<string, unknown>;
      const options = parse(rest);
      const need = verifierNeed(options);
      if (need === "required" && !verifier)
        throw new InvalidArgumentError({ parameter: "verifier", message: `${name} needs a verifier (--verifier, or mull.verifier over HTTP)` });
      const used = need === "none" ? undefined : verifier;
      const verifierName = used ? (verifierSpec ?? used.name) : undefined;
      const settings = { strategy: name, options: options as Record<string, unknown>, ...(verifierName ? { verifier: verifierName } : {}) };
      const check = (run: StrategyRunOptions): void => {
        const environment = run.environment ?? {};
        checkPrompt({ name, run, continuesText: definition.continuesText === true, reason: definition.rawPrompt?.(options, used) });
        if (needsSandbox(options) && !environment.sandbox) throw missingSandboxError(name);
        const unfit = definition.checkProblem?.(run.call.prompt, options);
        if (unfit !== undefined) throw new InvalidArgumentError({ parameter: "prompt", message: `${name} ${unfit}` });
        checkResolvable({
          specs: definition.models?.(options) ?? [],
          resolve: environment.resolveModel,
          unresolved: (spec) => unresolvedModelError(name, spec),
        });
        checkResolvable({
          specs: definition.strategies?.(options) ?? [],
          resolve: environment.resolveStrategy,
          unresolved: (spec) => unresolvedStrategyError(name, spec),
        });
      };
      return {
        name,
        options,
        ...(verifierName ? { verifier: verifierName } : {}),
        check,
        async run(run: StrategyRunOptions): Promise<StrategyResult> {
          check(run);
          return inSpan(`mull.strategy ${name}`, { attributes: { "mull.strategy": name } }, async (span) => {
            const context = createRunContext({ name, options, settings, verifier: used, run });
            try {
              const result = context.finish(await definition.run(context));
              span.setAttributes({
                "mull.stop_reason": result.stopReason,
                "mull.candidates": result.candidates.length,
                "mull.calls": result.usage.calls,
                "gen_ai.usage.input_tokens": result.usage.promptTokens,
                "gen_ai.usage.output_tokens": result.usage.completionTokens,
              });
              return result;
            } finally {
              context.dispose();
            }
          });
        },
      };
    },
  };
}

/**
 * Refuses, before anything is spent, a model or strategy the options name that the caller cannot resolve (or, for
 * a strategy, that is invalid): each spec is resolved once here.
 */
function checkResolvable(options: { specs: string[]; resolve: ((spec: string) => unknown) | undefined; unresolved: (spec: string) => Error }): void {
  const { specs, resolve } = options;
  if (specs.length === 0) return;
  if (!resolve) throw options.unresolved(specs[0] as string);
  for (const spec of new Set(specs)) resolve(spec);
}

/** Refuses, before anything is spent, a prompt or backend the strategy cannot work with. */
function checkPrompt(options: { name: string; run: StrategyRunOptions; continuesText: boolean; reason: string | undefined }): void {
  const { name, run } = options;
  const chat = typeof run.call.prompt !== "string";
  if (options.continuesText && !chat && run.model.supportsRawPrompt === false)
    throw new InvalidArgumentError({
      parameter: "model",
      value: run.model.modelId,
      message: `${name} continues partial solutions of a raw prompt with raw-text completions (/v1/completions), which this chat-only backend cannot do; send chat messages to a backend that continues the assistant's message instead`,
    });
  if (options.continuesText && chat && run.model.continuesAssistantMessage !== true)
    throw new InvalidArgumentError({
      parameter: "model",
      value: run.model.modelId,
      message: `${name} continues partial solutions of a chat prompt as the assistant's unfinished message, which this backend does not do (for vLLM or SGLang set assistantPrefix: "continue-final-message", for llama.cpp's server "llama-cpp", for mull serve "final-message"), or send a raw prompt`,
    });
  if (options.reason !== undefined && typeof run.call.prompt !== "string")
    throw new InvalidArgumentError({
      parameter: "prompt",
      message: `${name} needs a raw-text prompt (a completions request), not chat messages, because ${options.reason} (mull solve: --raw)`,
    });
}
