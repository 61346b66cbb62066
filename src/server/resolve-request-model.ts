/**
 * Which model a request calls: `strategy/model`, `model` or `strategy`, plus the `mull` object, become a
 * base model or a strategy wrapped around one, built by the runtime from the same specs as everywhere.
 */
import { createAnswerGrading } from "../answers/answer-grading.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { LanguageModel } from "../core/language-model.js";
import type { Budget } from "../core/strategy.js";
import type { Mull } from "../runtime/create-mull.js";
import { strategyModel } from "../strategies/strategy-model.js";
import type { createKeyRing } from "./api-keys.js";
import { invalidRequest } from "./openai-error.js";
import type { MullRequest } from "./request-schemas.js";
import type { ServerMetrics } from "./server-metrics.js";

export type ServedModels = {
  mull: Mull;
  models: Record<string, LanguageModel>;
  /** Verifier specs a request may name (canonical); the first is the default. */
  verifiers: string[];
  /** Where requests' token spend is counted, when the server keeps metrics. */
  metrics?: ServerMetrics | undefined;
  /** Where requests' token spend is charged to their API key, when the server has keys. */
  keyRing?: ReturnType<typeof createKeyRing> | undefined;
};

export function resolveRequestModel(
  served: ServedModels,
  request: { model: string; temperature?: number | undefined; mull?: MullRequest | undefined },
): { model: LanguageModel; id: string } | { error: ReturnType<typeof invalidRequest> } {
  const baseIds = Object.keys(served.models);
  const { strategy: named, verifier, budgetTokens, budgetCalls, budgetMs, answerPattern, equations, ...options } = request.mull ?? {};
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
    const given = Object.keys(request.mull ?? {});
    if (given.length > 0)
      throw new InvalidArgumentError({ parameter: "mull", message: `mull.${given[0]} needs a strategy (mull.strategy, or a strategy/model id)` });
    return { model: base, id: baseId };
  }
  const { definition } = served.mull.parseStrategy(strategySpec);
  // The request's temperature is the strategy's, where the strategy has one and mull.temperature is not set.
  const takesTemperature = "temperature" in definition.options.shape && request.temperature !== undefined && !("temperature" in options);
  const strategy = served.mull.strategy(
    { spec: strategySpec, options: { ...options, ...(takesTemperature ? { temperature: request.temperature } : {}) } },
    { verifier: servedVerifier(served, verifier) },
  );
  const budget: Budget = {
    ...(budgetTokens !== undefined ? { maxTokens: budgetTokens } : {}),
    ...(budgetCalls !== undefined ? { maxCalls: budgetCalls } : {}),
    ...(budgetMs !== undefined ? { maxWallMs: budgetMs } : {}),
  };
  const grading =
    answerPattern !== undefined || equations !== undefined
      ? createAnswerGrading({ ...(answerPattern !== undefined ? { pattern: answerPattern } : {}), ...(equations !== undefined ? { equations } : {}) })
      : undefined;
  return {
    model: strategyModel({
      strategy,
      model: base,
      ...(Object.keys(budget).length > 0 ? { budget } : {}),
      ...(grading ? { extractAnswer: grading.extract } : {}),
    }),
    id: `${strategy.name}/${baseId}`,
  };
}

/** The verifier a request may use: one the server was started with (requests must not load arbitrary files or URLs). */
function servedVerifier(served: ServedModels, spec: string | undefined): string {
  if (spec === undefined) return served.verifiers[0] ?? "prm";
  const canonical = served.mull.verifierSpec(spec);
  if (!served.verifiers.includes(canonical))
    throw new InvalidArgumentError({
      parameter: "mull.verifier",
      value: spec,
      message: `this server does not serve the verifier ${JSON.stringify(canonical)}; it serves ${served.verifiers.join(", ") || "none"} (mull serve --verifier)`,
    });
  return canonical;
}
