/**
 * Scoring with the embedded model: next-token distributions after chosen positions of a text, from one
 * evaluation, reusing a held prefix up to the first wanted position. Process reward models read step
 * scores this way.
 */
import { InvalidArgumentError } from "../../core/errors/invalid-argument-error.js";
import type { ScoreTokensResult } from "../../core/language-model.js";
import { claimSequence, releaseSequence } from "./claim-sequence.js";
import { type LoadedLlamaModel, type Token, tokenizeWithBos } from "./load-llama-model.js";

/** Next-token distributions after `positions` (token positions of `text`, without BOS). */
export async function scorePositions(options: {
  loaded: LoadedLlamaModel;
  text: string;
  positions: readonly number[];
  reusePrefix: boolean;
  abortSignal?: AbortSignal | undefined;
}): Promise<{ distributions: Map<Token, number>[]; usage: ScoreTokensResult["usage"] }> {
  const { loaded, reusePrefix } = options;
  const tokens = tokenizeWithBos(loaded, options.text);
  const wanted = options.positions.map((position) => position + (loaded.bos !== undefined ? 1 : 0));
  if (tokens.length > loaded.contextPerSequence)
    throw new InvalidArgumentError({ parameter: "text", message: `is ${tokens.length} tokens; the context holds ${loaded.contextPerSequence} per sequence` });
  // Positions before the first wanted one may come from a sequence's cache; wanted ones are evaluated.
  const mostReused = Math.min(tokens.length - 1, ...wanted);
  const { sequence, reused } = await claimSequence({ loaded, tokens, mostReused, reusePrefix, signal: options.abortSignal });
  let failed = false;
  try {
    const wantedSet = new Set(wanted);
    const input = tokens
      .slice(reused)
      .map((token, index) => (wantedSet.has(index + reused) ? ([token, { generateNext: { probabilities: true } }] as const) : token));
    const output = await sequence.controlledEvaluate(input as import("node-llama-cpp").ControlledEvaluateInputItem[]);
    return {
      distributions: wanted.map((index) => output[index - reused]?.next?.probabilities ?? new Map<Token, number>()),
      usage: { promptTokens: tokens.length, cachedPromptTokens: reused },
    };
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    await releaseSequence({ loaded, sequence, clear: failed || !reusePrefix });
  }
}

/** The contract's `doScoreTokens`: character offsets mapped to token positions, label tokens to single token ids. */
export async function scoreTokens(options: {
  loaded: LoadedLlamaModel;
  text: string;
  offsets: readonly number[];
  tokens: readonly string[];
  reusePrefix: boolean;
  abortSignal?: AbortSignal | undefined;
}): Promise<ScoreTokensResult> {
  const { loaded, text } = options;
  const ids = loaded.model.tokenize(text, false);
  // The token that ends at each character offset.
  const ends: number[] = [];
  let decoded = "";
  for (const id of ids) {
    decoded += loaded.model.detokenize([id]);
    ends.push(decoded.length);
  }
  const positions = options.offsets.map((offset) => {
    const position = ends.indexOf(offset);
    if (position === -1) throw new InvalidArgumentError({ parameter: "offsets", value: offset, message: `offset ${offset} does not fall on a token boundary` });
    return position;
  });
  const candidateIds = options.tokens.map((token) => {
    const tokenIds = loaded.model.tokenize(token, false);
    if (tokenIds.length !== 1)
      throw new InvalidArgumentError({ parameter: "tokens", value: token, message: `${JSON.stringify(token)} is not a single token of this model` });
    return tokenIds[0] as Token;
  });
  const { distributions, usage } = await scorePositions({ ...options, positions });
  return { probabilities: distributions.map((distribution) => candidateIds.map((id) => distribution.get(id) ?? 0)), usage };
}
