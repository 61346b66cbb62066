/**
 * What a model's tokens cost, and what a run spent across every model it called. A token evaluated or
 * generated costs about 2 FLOPs per parameter (the usual forward-pass estimate, embeddings included), so
 * a verifier three times the policy's size costs three times as much per token as the policy does.
 */

/** A model's size and price. */
export type ModelCost = {
  /** Parameter count. Absent: unknown, and then no FLOPs figure covers this model. */
  parameters?: number;
  /** Price per million tokens, in the caller's currency. Absent: no money figure covers this model. */
  pricePerMillion?: { prompt: number; completion: number };
};

/** What one model spent in a run. */
export type ModelSpend = {
  /** `policy`: the run's own model; `model`: another model a strategy called; `verifier`: the verifier. */
  role: "policy" | "model" | "verifier";
  promptTokens: number;
  completionTokens: number;
  /** Absent where the model's size is unknown. */
  flops?: number;
  /** Absent where the model has no price. */
  money?: number;
};

/** A run's spending across every model it called. */
export type Compute = {
  /** FLOPs of every model called (verifier included); absent where one model's size is unknown. */
  flops?: number;
  /** Of `flops`, the verifier's. */
  verifierFlops?: number;
  /** Money across every model, where each has a price; absent otherwise. */
  money?: number;
  /** Per model, by its id. */
  models: Record<string, ModelSpend>;
};

/** FLOPs per parameter per token, for one forward pass. */
export const flopsPerParameterToken = 2;

/** What tokens cost on one model: FLOPs and money where its size and price are known. */
export function costOfTokens(cost: ModelCost | undefined, tokens: { promptTokens: number; completionTokens: number }): { flops?: number; money?: number } {
  const total = tokens.promptTokens + tokens.completionTokens;
  return {
    ...(cost?.parameters !== undefined ? { flops: flopsPerParameterToken * cost.parameters * total } : {}),
    ...(cost?.pricePerMillion
      ? { money: (tokens.promptTokens * cost.pricePerMillion.prompt + tokens.completionTokens * cost.pricePerMillion.completion) / 1e6 }
      : {}),
  };
}

/** Totals over models: a figure only where every model has it. */
export function computeOf(models: Record<string, ModelSpend>): Compute {
  const spends = Object.values(models);
  const sum = (pick: (spend: ModelSpend) => number | undefined, of = spends) =>
    of.every((spend) => pick(spend) !== undefined) ? of.reduce((total, spend) => total + (pick(spend) ?? 0), 0) : undefined;
  const flops = spends.length > 0 ? sum((spend) => spend.flops) : 0;
  const verifiers = spends.filter((spend) => spend.role === "verifier");
  const verifierFlops = verifiers.length > 0 ? sum((spend) => spend.flops, verifiers) : 0;
  const money = spends.length > 0 ? sum((spend) => spend.money) : undefined;
  return {
    ...(flops !== undefined ? { flops } : {}),
    ...(verifierFlops !== undefined ? { verifierFlops } : {}),
    ...(money !== undefined ? { money } : {}),
    models,
  };
}

/** One model's spending twice over (the first's role kept); a figure only where both have it. */
export function addSpend(known: ModelSpend | undefined, spend: ModelSpend): ModelSpend {
  if (!known) return spend;
  return {
    role: known.role,
    promptTokens: known.promptTokens + spend.promptTokens,
    completionTokens: known.completionTokens + spend.completionTokens,
    ...(known.flops !== undefined && spend.flops !== undefined ? { flops: known.flops + spend.flops } : {}),
    ...(known.money !== undefined && spend.money !== undefined ? { money: known.money + spend.money } : {}),
  };
}

/** Sums two runs' spending, model by model. */
export function addCompute(total: Compute, more: Compute): Compute {
  const models: Record<string, ModelSpend> = { ...total.models };
  for (const [id, spend] of Object.entries(more.models)) models[id] = addSpend(models[id], spend);
  return computeOf(models);
}
