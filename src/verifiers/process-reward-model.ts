/**
 * A process reward model as a verifier: scores every step of a solution in one pass of the PRM, in the
 * bundled PRM's format (each step line followed by `?`; the step's score is p(+) / (p(+) + p(-))).
 */
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { LanguageModel } from "../core/language-model.js";
import type { Verifier } from "../core/verifier.js";
import { formatPrmInput, PRM_BAD_LABEL, PRM_GOOD_LABEL, PRM_STEP_MARKER } from "./prm-format.js";

export type StepAggregation = "last" | "min" | "mean" | "product";

export const stepAggregations: readonly StepAggregation[] = ["last", "min", "mean", "product"];

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
}): Verifier {
  const aggregation = options.aggregation ?? "last";
  if (!stepAggregations.includes(aggregation))
    throw new InvalidArgumentError({ parameter: "aggregation", value: aggregation, message: `must be one of ${stepAggregations.join(", ")}` });
  const model = options.model;
  const scoreTokens = model.doScoreTokens?.bind(model);
  if (!scoreTokens)
    throw new InvalidArgumentError({
      parameter: "model",
      value: model.modelId,
      message: "this backend cannot return next-token probabilities at chosen positions, which a PRM needs",
    });
  return {
    name: `prm:${model.modelId}:${aggregation}`,
    async score({ prompt, solution, abortSignal }) {
      const { text, steps } = formatPrmInput({ prompt, solution });
      if (steps.length === 0) return { score: 0, stepScores: [] };
      // The position right after each step's marker, by construction (a step may itself contain the marker).
      const offsets: number[] = [];
      let cursor = prompt.length;
      for (const step of steps) {
        offsets.push(cursor + step.length + PRM_STEP_MARKER.length);
        cursor += step.length + PRM_STEP_MARKER.length + 1;
      }
      const probabilities = await scoreTokens({ text, offsets, tokens: [PRM_GOOD_LABEL, PRM_BAD_LABEL], ...(abortSignal ? { abortSignal } : {}) });
      const stepScores = probabilities.map(([good = 0, bad = 0]) => (good + bad > 0 ? good / (good + bad) : 0.5));
      // One evaluation of the formatted text; characters approximate tokens for the bundled character-level PRM.
      return { score: aggregateStepScores(stepScores, aggregation), stepScores, tokens: text.length + 1 };
    },
  };
}
