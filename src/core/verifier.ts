/** Scores a candidate solution to a prompt; higher is better, in [0, 1] where possible. */
export type Verifier = {
  readonly name: string;
  score(options: {
    prompt: string;
    solution: string;
    abortSignal?: AbortSignal;
  }): Promise<{ score: number; stepScores?: number[] /** Tokens the verifier evaluated, where known. */; tokens?: number }>;
  /**
   * Optional: a verifier for one run that may remember work across its calls (a PRM scoring partial
   * solutions that extend each other evaluates only new steps). Scores are the same as `score`'s.
   */
  session?(): Verifier;
};
