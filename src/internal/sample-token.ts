import type { Random } from "./seeded-random.js";

/**
 * How a distribution is reshaped before a draw, as OpenAI, vLLM and llama.cpp name the knobs. Penalties and
 * biases act on log-probabilities (a model's logits up to a constant): bias and presence/frequency add,
 * repetition multiplies (so above 1 it always lowers a repeated token).
 */
export type SamplingShape<T> = {
  /** Only the k most likely tokens stay; 0 or absent is off. */
  topK?: number | undefined;
  /** Tokens below `minP` times the top probability go; absent is off. */
  minP?: number | undefined;
  presencePenalty?: number | undefined;
  frequencyPenalty?: number | undefined;
  repetitionPenalty?: number | undefined;
  /** Added to the log-probabilities of these tokens. */
  logitBias?: ReadonlyMap<T, number> | undefined;
  /** How often each token was generated so far (what the penalties count). */
  generated?: ReadonlyMap<T, number> | undefined;
};

/** Whether a shape changes anything (the plain path skips the log-space work). */
export function shapes<T>(shape: SamplingShape<T> | undefined): boolean {
  if (!shape) return false;
  return (
    (shape.topK ?? 0) > 0 ||
    (shape.minP ?? 0) > 0 ||
    (shape.logitBias?.size ?? 0) > 0 ||
    ((shape.generated?.size ?? 0) > 0 && ((shape.presencePenalty ?? 0) !== 0 || (shape.frequencyPenalty ?? 0) !== 0 || (shape.repetitionPenalty ?? 1) !== 1))
  );
}

/** The distribution after bias and penalties, renormalised (tokens of probability 0 stay out). */
function penalised<T>(probabilities: ReadonlyMap<T, number>, shape: SamplingShape<T>): Map<T, number> {
  const logits = new Map<T, number>();
  for (const [token, probability] of probabilities) {
    const bias = shape.logitBias?.get(token);
    if (probability <= 0 && bias === undefined) continue;
    // A token of probability 0 that a bias names gets a floor, so that a large bias can still bring it in.
    let logit = Math.log(Math.max(probability, 1e-30)) + (bias ?? 0);
    const count = shape.generated?.get(token) ?? 0;
    if (count > 0) {
      logit *= shape.repetitionPenalty ?? 1;
      logit -= (shape.presencePenalty ?? 0) + (shape.frequencyPenalty ?? 0) * count;
    }
    logits.set(token, logit);
  }
  const top = Math.max(...logits.values());
  let total = 0;
  for (const [token, logit] of logits) {
    const weight = Math.exp(logit - top);
    logits.set(token, weight);
    total += weight;
  }
  for (const [token, weight] of logits) logits.set(token, weight / total);
  return logits;
}

/**
 * Picks the next token from a next-token distribution: bias and penalties first, then greedy at temperature 0,
 * otherwise temperature scaling, top-k, nucleus (top-p) and min-p filtering, drawn with a seeded generator.
 */
export function sampleToken<T extends number>(options: {
  probabilities: ReadonlyMap<T, number>;
  temperature: number;
  topP: number;
  random: Random;
  shape?: SamplingShape<T> | undefined;
}): T {
  const { temperature, topP, random, shape } = options;
  const probabilities = shape && shapes(shape) ? penalised(options.probabilities, shape) : options.probabilities;
  let best = -1 as T;
  let bestProbability = -1;
  for (const [token, probability] of probabilities) {
    if (probability > bestProbability) {
      best = token;
      bestProbability = probability;
    }
  }
  if (temperature <= 0 || probabilities.size <= 1) return best;
  const scaled: [T, number][] = [];
  let total = 0;
  for (const [token, probability] of probabilities) {
    if (probability <= 0) continue;
    const weight = probability ** (1 / temperature);
    scaled.push([token, weight]);
    total += weight;
  }
  scaled.sort((a, b) => b[1] - a[1]);
  let kept = scaled;
  const topK = shape?.topK ?? 0;
  if (topK > 0 && kept.length > topK) kept = kept.slice(0, topK);
  if (topP < 1) {
    const keptTotal = kept.reduce((sum, [, weight]) => sum + weight, 0);
    let cumulative = 0;
    const cut = kept.findIndex(([, weight]) => {
      cumulative += weight / keptTotal;
      return cumulative >= topP;
    });
    kept = kept.slice(0, cut === -1 ? kept.length : cut + 1);
  }
  const minP = shape?.minP ?? 0;
  // min-p on the scaled distribution, as llama.cpp's chain applies it after temperature.
  if (minP > 0 && kept.length > 0) {
    const floor = (kept[0]?.[1] ?? 0) * minP;
    kept = kept.filter(([, weight]) => weight >= floor);
  }
  total = kept.reduce((sum, [, weight]) => sum + weight, 0);
  let draw = random.next() * total;
  for (const [token, weight] of kept) {
    draw -= weight;
    if (draw <= 0) return token;
  }
  return kept.at(-1)?.[0] ?? best;
}
