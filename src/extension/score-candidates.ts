import { getMaxListeners, setMaxListeners } from "node:events";
import type { ChatMessage } from "../core/call-options.js";
import type { Verifier } from "../core/verifier.js";

/** Scores candidates (or search nodes) with a verifier in parallel (empty text scores 0); returns the tokens the verifier evaluated. */
export async function scoreCandidates(options: {
  verifier: Verifier;
  prompt: string | ChatMessage[];
  candidates: { text: string; score?: number }[];
  abortSignal?: AbortSignal | undefined;
}): Promise<number> {
  const { verifier, prompt, abortSignal } = options;
  // Every candidate scored at once listens on the signal (while it waits for a sequence); expected, not a leak.
  if (abortSignal) setMaxListeners(Math.max(getMaxListeners(abortSignal), options.candidates.length + 10), abortSignal);
  const tokens = await Promise.all(
    options.candidates.map(async (candidate) => {
      if (candidate.text.trim().length === 0) {
        candidate.score = 0;
        return 0;
      }
      const result = await verifier.score({ prompt, solution: candidate.text, ...(abortSignal ? { abortSignal } : {}) });
      candidate.score = result.score;
      return result.tokens ?? 0;
    }),
  );
  return tokens.reduce((sum, count) => sum + count, 0);
}
