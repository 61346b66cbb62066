/**
 * A process reward model as a verifier: scores every step of a solution in one pass of the PRM, in the
 * bundled PRM's format (each step line followed by `?`; the step's score is p(+) / (p(+) + p(-))).
 */
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { LanguageModel } from "../core/language-model.js";
import type { Verifier } from "../core/verifier.js";
import { promptAsText } from "../internal/prompt-text.js";
import { formatPrmInput, PRM_BAD_LABEL, PRM_GOOD_LABEL, PRM_STEP_MARKER } from "./prm-format.js";

export const stepAggregations = ["last", "min", "mean", "product"] as const;

export type StepAggregation = (typeof stepAggregations)[number];

export function aggregateStepScores(scores: number[], aggregation: StepAggregation): number {
  if (scores.length === 0) return 0;
  switch (aggregation) {
    case "last":
      return scores.at(-1) as number;
    case "min":
      return Math.min(...scores);
    case "mean":
      return scores.reduce((sum, score) => sum + score, 0) / scores.length;
    case "product":
      return scores.reduce((product, score) => product * score, 1);
  }
}

export function createProcessRewardModel(options: {
  /** The PRM, e.g. `createLlamaCppModel({ modelPath: BUNDLED_PRM_MODEL })`; it must support `doScoreTokens`. */
  model: LanguageModel;
  /** How step scores become one score. Defaults to `"last"` (the final step scores the whole solution). */
  aggregation?: StepAggregation;
  /**
   * Within one session (`verifier.session()`, which step-level search opens per run), prefixes whose step
   * scores are remembered, so that scoring a solution that extends one already scored evaluates only its
   * new steps. A step's score depends only on the text before it, so this changes no score. Plain
   * `score` calls remember nothing. Defaults to `10000`; `0` turns it off.
   */
  cacheSize?: number;
}): Verifier {
  const aggregation = options.aggregation ?? "last";
  if (!stepAggregations.includes(aggregation))
    throw new InvalidArgumentError({ parameter: "aggregation", value: aggregation, message: `must be one of ${stepAggregations.join(", ")}` });
  const cacheSize = options.cacheSize ?? 10_000;
  if (!Number.isInteger(cacheSize) || cacheSize < 0)
    throw new InvalidArgumentError({ parameter: "cacheSize", value: cacheSize, message: "must be an integer >= 0" });
  const model = options.model;
  const scoreTokens = model.doScoreTokens?.bind(model);
  if (!scoreTokens)
    throw new InvalidArgumentError({
      parameter: "model",
      value: model.modelId,
      message: "this backend cannot return next-token probabilities at chosen positions, which a PRM needs",
    });
  const name = `prm:${model.modelId}:${aggregation}`;
  /** A verifier whose calls share `cache` (scored prefix, up to a step's marker -> that step's score; oldest out first). */
  const withCache = (cache: Map<string, number> | undefined): Verifier => {
    // Within a session, identical texts scored concurrently (a search's duplicate children) share one evaluation.
    const inFlight = new Map<string, Promise<number[]>>();
    return {
      name,
      kind: "process",
      ...(model.cost ? { cost: model.cost } : {}),
      session: () => withCache(cacheSize > 0 ? new Map() : undefined),
      async score({ prompt: given, solution, abortSignal }) {
        // A conversation is scored as its problem in the PRM's own prompt format.
        const prompt = promptAsText(given, model.formatProblem);
        const remember = (key: string, score: number) => {
          if (!cache) return;
          cache.delete(key);
          cache.set(key, score);
          if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
        };
        const { text, steps } = formatPrmInput({ prompt, solution });
        if (steps.length === 0) return { score: 0, stepScores: [] };
        // The position right after each step's marker, by construction (a step may itself contain the marker).
        const offsets: number[] = [];
        let cursor = prompt.length;
        for (const step of steps) {
          offsets.push(cursor + step.length + PRM_STEP_MARKER.length);
          cursor += step.length + PRM_STEP_MARKER.length + 1;
        }
        let known = 0;
        while (cache && known < offsets.length && cache.has(text.slice(0, offsets[known]))) known++;
        const stepScores = offsets.slice(0, known).map((offset) => cache?.get(text.slice(0, offset)) as number);
        if (known === offsets.length) return { score: aggregateStepScores(stepScores, aggregation), stepScores, tokens: 0 };
        const key = text.slice(0, offsets.at(-1));
        const pending = cache ? inFlight.get(key) : undefined;
        if (pending) {
          const shared = await pending;
          return { score: aggregateStepScores(shared, aggregation), stepScores: [...shared], tokens: 0 };
        }
        let tokens = 0;
        const evaluation = (async () => {
          const result = await scoreTokens({
            text: key,
            offsets: offsets.slice(known),
            tokens: [PRM_GOOD_LABEL, PRM_BAD_LABEL],
            ...(abortSignal ? { abortSignal } : {}),
          });
          result.probabilities.forEach(([good = 0, bad = 0], index) => {
            const score = good + bad > 0 ? good / (good + bad) : 0.5;
            stepScores.push(score);
            remember(text.slice(0, offsets[known + index]), score);
          });
          tokens = result.usage.promptTokens - (result.usage.cachedPromptTokens ?? 0);
          return stepScores;
        })();
        if (cache) inFlight.set(key, evaluation);
        try {
          await evaluation;
        } finally {
          inFlight.delete(key);
        }
        // Tokens the PRM evaluated for this call (none when every step was already scored).
        return { score: aggregateStepScores(stepScores, aggregation), stepScores, tokens };
      },
    };
  };
  return withCache(undefined);
}
