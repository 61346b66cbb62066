import type { ChatMessage } from "./call-options.js";
import type { ModelCost } from "./compute-cost.js";

/**
 * What a verifier is, which strategies read instead of its name:
 * - `process`: scores every step of a solution, so partial solutions too (PRMs; step-level search needs one);
 * - `outcome`: scores a whole solution (a judge);
 * - `oracle`: knows the truth (a task's exact checker), so results that use it are experiments.
 */
export type VerifierKind = "process" | "outcome" | "oracle";

/** Scores a candidate solution to a prompt; higher is better, in [0, 1] where possible. */
export type Verifier = {
  readonly name: string;
  /** What it is. Absent: `outcome`. */
  readonly kind?: VerifierKind;
  /** Its model's size and price, for what its tokens cost. Absent: unknown (an oracle costs nothing: `{ parameters: 0 }`). */
  readonly cost?: ModelCost;
  score(options: {
    /** The prompt the solution answers: raw text, or the chat conversation. */
    prompt: string | ChatMessage[];
    solution: string;
    abortSignal?: AbortSignal;
  }): Promise<{ score: number; stepScores?: number[] /** Tokens the verifier evaluated, where known. */; tokens?: number }>;
  /**
   * Optional: a verifier for one run that may remember work across its calls (a PRM scoring partial
   * solutions that extend each other evaluates only new steps). Scores are the same as `score`'s.
   */
  session?(): Verifier;
  /** Optional: releases what the verifier loaded (its model), where it owns it. */
  dispose?(): Promise<void>;
};
