/**
 * Prefix reuse: a sequence keeps what it evaluated after a call ends; the next call takes the free
 * sequence whose tokens share the longest prefix with its input and evaluates only the rest (step-level
 * search continues the same partial solution many times). `npm run bench:prefix-reuse` measures it.
 */
import type { LoadedLlamaModel, Sequence, Token } from "./load-llama-model.js";

/**
 * Takes the free sequence holding the longest prefix of `tokens` (any free one without prefix reuse) and
 * erases what it holds past that prefix, at most `mostReused` tokens. Returns how many tokens it kept.
 */
export async function claimSequence(options: {
  loaded: LoadedLlamaModel;
  tokens: readonly Token[];
  mostReused: number;
  reusePrefix: boolean;
  signal: AbortSignal | undefined;
}): Promise<{ sequence: Sequence; reused: number }> {
  const { loaded, tokens, reusePrefix } = options;
  const sequence = await loaded.pool.acquire(options.signal, reusePrefix ? (held) => sharedPrefixLength(held.contextTokens, tokens) : undefined);
  try {
    const reused = reusePrefix ? Math.max(0, Math.min(sharedPrefixLength(sequence.contextTokens, tokens), options.mostReused)) : 0;
    if (sequence.contextTokens.length > reused) await sequence.eraseContextTokenRanges([{ start: reused, end: sequence.nextTokenIndex }]);
    return { sequence, reused };
  } catch (error) {
    await sequence.clearHistory().catch(() => {});
    loaded.pool.release(sequence);
    throw error;
  }
}

/**
 * Gives a sequence back to the pool. After a failure (or without prefix reuse) its state is cleared first:
 * a sequence left mid-evaluation may hold a partial state.
 */
export async function releaseSequence(options: { loaded: LoadedLlamaModel; sequence: Sequence; clear: boolean }): Promise<void> {
  if (options.clear) await options.sequence.clearHistory().catch(() => {});
  options.loaded.pool.release(options.sequence);
}

function sharedPrefixLength(held: readonly Token[], tokens: readonly Token[]): number {
  const limit = Math.min(held.length, tokens.length);
  let length = 0;
  while (length < limit && held[length] === tokens[length]) length++;
  return length;
}
