import { getMaxListeners, setMaxListeners } from "node:events";
import type { ChatMessage } from "../core/call-options.js";
import type { Verifier } from "../core/verifier.js";

/**
 * Scores candidates (or search nodes) with a verifier in parallel (empty text scores 0); returns the tokens the
 * verifier evaluated and each candidate's step scores, where the verifier judges steps.
 */
export async function scoreCandidates(options: {
  verifier: Verifier;
  prompt: string | ChatMessage[];
  candidates: { text: string; score?: number }[];
  abortSignal?: AbortSignal | undefined;
}): Promise<{ tokens: number; stepScores: (number[] | undefined)[] }> {
  const { verifier, prompt, abortSignal } = options;
  // Every candidate scored at once listens on the signal (while it waits for a sequence); expected, not a leak.
  if (abortSignal) setMaxListeners(Math.max(getMaxListeners(abortSignal), options.candidates.length + 10), abortSignal);
  const results = await Promise.all(
    options.candidates.map(async (candidate) => {
      if (candidate.text.trim().length === 0) {
        candidate.score = 0;
        return { tokens: 0, stepScores: [] };
      }
      const result = await verifier.score({ prompt, solution: candidate.text, ...(abortSignal ? { abortSignal } : {}) });
      candidate.score = result.score;
      return { tokens: result.tokens ?? 0, stepScores: result.stepScores };
    }),
  );
  return { tokens: results.reduce((sum, result) => sum + result.tokens, 0), stepScores: results.map((result) => result.stepScores) };
}
