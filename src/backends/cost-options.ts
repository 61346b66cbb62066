import { z } from "zod";
import type { ModelCost } from "../core/compute-cost.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";

/** A remote model's size and price, as spec and config settings (`URL#model?parameters=8e9&promptPrice=0.2&completionPrice=0.6`). */
export const costOptions = {
  parameters: z.number().positive().optional().describe("The model's parameter count, for its FLOPs (2 per parameter per token). Default: unknown"),
  promptPrice: z.number().min(0).optional().describe("Price per million prompt tokens, for money budgets and reports. Default: none"),
  completionPrice: z.number().min(0).optional().describe("Price per million completion tokens (give it with promptPrice). Default: none"),
};

/** The settings as a `ModelCost`; a price needs both halves, so one alone is refused by name. */
export function modelCostOf(settings: {
  parameters?: number | undefined;
  promptPrice?: number | undefined;
  completionPrice?: number | undefined;
}): ModelCost | undefined {
  const { parameters, promptPrice, completionPrice } = settings;
  if ((promptPrice === undefined) !== (completionPrice === undefined))
    throw new InvalidArgumentError({
      parameter: promptPrice === undefined ? "promptPrice" : "completionPrice",
      message: "is missing: a price needs both promptPrice and completionPrice (per million tokens)",
    });
  if (parameters === undefined && promptPrice === undefined) return undefined;
  return {
    ...(parameters !== undefined ? { parameters } : {}),
    ...(promptPrice !== undefined && completionPrice !== undefined ? { pricePerMillion: { prompt: promptPrice, completion: completionPrice } } : {}),
  };
}
