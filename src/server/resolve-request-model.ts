/**
 * Which model a request calls: `strategy/model`, `model` or `strategy`, plus the `mull` object, become a
 * base model or a strategy wrapped around one, built by the runtime from the same specs as everywhere.
 */
import { createAnswerGrading } from "../answers/answer-grading.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { LanguageModel } from "../core/language-model.js";
import type { Budget } from "../core/strategy.js";
import type { Mull, StrategyPolicy } from "../runtime/create-mull.js";
import { defaults } from "../runtime/create-mull.js";
import { budgetOf } from "../runtime/run-settings.js";
import type { StrategyModelOptions } from "../runtime/strategy-model.js";
import type { createKeyRing } from "./api-keys.js";
import type { DebugRecorder } from "./debug-recorder.js";
import { invalidRequest } from "./openai-error.js";
import type { MullRequest } from "./request-schemas.js";
import type { Route } from "./server-config.js";
import type { ServerMetrics } from "./server-metrics.js";

/** Sees a strategy's progress and trace parts as they happen (the live debugger). */
export type StrategyObserver = NonNullable<StrategyModelOptions["observe"]>;

export type ServedModels = {
  mull: Mull;
  models: Record<string, LanguageModel>;
  /** Verifier specs a request may name (canonical); the first is the default. */
  verifiers: string[];
  /** Verifier specs (canonical) by the names a config gave them; a request may name a verifier either way. */
  verifierNames?: Record<string, string> | undefined;
  /** Public model names bound to a strategy, a base model, a verifier and a budget. */
  routes?: Record<string, Route> | undefined;
  /** Where requests' token spend is counted, when the server keeps metrics. */
  metrics?: ServerMetrics | undefined;
  /** Where requests are recorded for the live debugger, when it is on. */
  debug?: DebugRecorder | undefined;
  /** Where requests' token spend is charged to their API key, when the server has keys. */
  keyRing?: ReturnType<typeof createKeyRing> | undefined;
  /** Options by strategy name the operator set, used where a spec leaves them out (a tuned profile). Defaults to none. */
  strategyDefaults?: StrategyPolicy["optionDefaults"] | undefined;
  /** Unknown request fields are refused rather than warned about (see `ServerAppOptions.strictFields`). Defaults to `false`. */
  strictFields?: boolean | undefined;
};

/**
 * The `mull` object's parts: the strategy and verifier named, the run settings, and the rest, the strategy's options
 * (the call's own settings, `strict` and the thinking budget, are the pipeline's, not a strategy's).
 */
function mullParts(mull: MullRequest | undefined) {
  const {
    strategy: named,
    verifier,
    budgetTokens,
    budgetCalls,
    budgetMs,
    budgetFlops,
    budgetMoney,
    budgetCountsVerifier,
    answerPattern,
    equations,
    toolVote,
    strict: _strict,
    maxReasoningTokens: _maxReasoning,
    minReasoningTokens: _minReasoning,
    ...options
  } = mull ?? {};
  const budget = budgetOf({
    tokens: budgetTokens,
    calls: budgetCalls,
    ms: budgetMs,
    flops: budgetFlops,
    money: budgetMoney,
    countVerifier: budgetCountsVerifier,
  });
  return { named, verifier, budget, answerPattern, equations, toolVote, options };
}

export function resolveRequestModel(
  served: ServedModels,
  request: { model: string; temperature?: number | undefined; mull?: MullRequest | undefined },
  observe?: StrategyObserver,
): { model: LanguageModel; id: string } | { error: ReturnType<typeof invalidRequest> } {
  const route = served.routes?.[request.model];
  if (route) return resolveRoute(served, request, route, observe);
  const baseIds = Object.keys(served.models);
  const { named, verifier, budget: asked, answerPattern, equations, toolVote, options } = mullParts(request.mull);
  const slash = request.model.indexOf("/");
  const prefix = slash === -1 ? undefined : request.model.slice(0, slash);
  let strategySpec = named;
  let baseId = request.model;
  if (prefix !== undefined && served.mull.strategies.has(prefix)) {
    strategySpec ??= prefix;
    baseId = request.model.slice(slash + 1);
  } else if (served.mull.strategies.has(request.model)) {
    strategySpec ??= request.model;
    baseId = baseIds[0] as string;
  }
  const base = served.models[baseId];
  if (!base) return { error: invalidRequest(`The model ${JSON.stringify(request.model)} does not exist; see /v1/models`, "model", 404, "model_not_found") };
  if (strategySpec === undefined) {
    // The call's own settings apply without a strategy; the rest are a strategy's.
    const given = Object.keys(request.mull ?? {}).filter((key) => !["strict", "maxReasoningTokens", "minReasoningTokens"].includes(key));
    if (given.length > 0)
      throw new InvalidArgumentError({ parameter: "mull", message: `mull.${given[0]} needs a strategy (mull.strategy, or a strategy/model id)` });
    return { model: base, id: baseId };
  }
  const { model, name } = wrapStrategy(served, {
    strategySpec,
    specFromRequest: true,
    options,
    temperature: request.temperature,
    verifier: servedVerifier(served, verifier),
    base,
    budget: asked,
    answerPattern,
    equations,
    toolVote,
    observe,
  });
  return { model, id: `${name}/${baseId}` };
}

/**
 * A route: its strategy, model and verifier are fixed by the server; a request may add the strategy's
 * options and ask for a smaller budget than the route's, never a larger one.
 */
function resolveRoute(
  served: ServedModels,
  request: { model: string; temperature?: number | undefined; mull?: MullRequest | undefined },
  route: Route,
  observe: StrategyObserver | undefined,
): { model: LanguageModel; id: string } {
  const { named, verifier, budget: asked, answerPattern, equations, toolVote, options } = mullParts(request.mull);
  if (named !== undefined || verifier !== undefined)
    throw new InvalidArgumentError({
      parameter: named !== undefined ? "mull.strategy" : "mull.verifier",
      message: `the route ${JSON.stringify(request.model)} fixes its strategy and verifier; call a base model to choose your own`,
    });
  const base = served.models[route.model] as LanguageModel;
  const limit = budgetOf(route.budget);
  // The route's limits hold whatever the request asks; the request may only tighten them.
  const budget: Budget = {};
  for (const key of ["maxTokens", "maxCalls", "maxWallMs", "maxFlops", "maxMoney"] as const) {
    const values = [asked[key], limit[key]].filter((value): value is number => value !== undefined);
    if (values.length > 0) budget[key] = Math.min(...values);
  }
  // A route that counts its verifier keeps counting it.
  const countVerifier = limit.countVerifier === false ? asked.countVerifier : limit.countVerifier;
  if (countVerifier !== undefined) budget.countVerifier = countVerifier;
  return {
    model: wrapStrategy(served, {
      strategySpec: route.strategy,
      specFromRequest: false,
      options,
      temperature: request.temperature,
      verifier: route.verifier !== undefined ? servedVerifier(served, route.verifier) : (served.verifiers[0] ?? defaults.verifier),
      base,
      budget,
      answerPattern,
      equations,
      toolVote,
      observe,
    }).model,
    id: request.model,
  };
}

/** A strategy built from its spec and a request's options, wrapped around a base model as a model again; and the strategy's name. */
function wrapStrategy(
  served: ServedModels,
  options: {
    strategySpec: string;
    /** A request's spec may not name files (a profile); a route's, the operator's, may. */
    specFromRequest: boolean;
    options: Record<string, unknown>;
    temperature: number | undefined;
    verifier: string;
    base: LanguageModel;
    budget: Budget;
    answerPattern: string | undefined;
    equations: "lenient" | "strict" | undefined;
    toolVote: "name" | "arguments" | undefined;
    observe: StrategyObserver | undefined;
  },
): { model: LanguageModel; name: string } {
  const { strategySpec, budget, answerPattern, equations } = options;
  const { definition } = served.mull.parseStrategy(strategySpec);
  // The request's temperature is the strategy's, where the strategy has one and mull.temperature is not set.
  const takesTemperature = "temperature" in definition.options.shape && options.temperature !== undefined && !("temperature" in options.options);
  const policy: StrategyPolicy = {
    verifier: options.verifier,
    files: options.specFromRequest ? false : "spec",
    ...(served.strategyDefaults ? { optionDefaults: served.strategyDefaults } : {}),
  };
  const strategy = served.mull.strategy(
    { spec: strategySpec, options: { ...options.options, ...(takesTemperature ? { temperature: options.temperature } : {}) } },
    policy,
  );
  const grading =
    answerPattern !== undefined || equations !== undefined
      ? createAnswerGrading({ ...(answerPattern !== undefined ? { pattern: answerPattern } : {}), ...(equations !== undefined ? { equations } : {}) })
      : undefined;
  // A request reaches only the models the server serves; strategies its parts name are built as a request's own
  // spec would be (no files from a request).
  const environment = served.mull.environment({
    models: served.models,
    strategies: { ...policy, files: !options.specFromRequest },
    ...(grading ? { extractAnswer: grading.extract } : {}),
    ...(options.toolVote ? { toolVote: options.toolVote } : {}),
  });
  const model = served.mull.asModel({
    strategy,
    model: options.base,
    environment,
    ...(Object.keys(budget).length > 0 ? { budget } : {}),
    ...(options.observe ? { observe: options.observe } : {}),
  });
  return { model, name: strategy.name };
}

/** The verifier a request may use: one the server was started with (requests must not load arbitrary files or URLs). */
function servedVerifier(served: ServedModels, spec: string | undefined): string {
  if (spec === undefined) return served.verifiers[0] ?? defaults.verifier;
  const canonical = served.verifierNames?.[spec] ?? served.mull.verifierSpec(spec);
  if (!served.verifiers.includes(canonical))
    throw new InvalidArgumentError({
      parameter: "mull.verifier",
      value: spec,
      message: `this server does not serve the verifier ${JSON.stringify(canonical)}; it serves ${served.verifiers.join(", ") || "none"} (mull serve --verifier)`,
    });
  return canonical;
}
