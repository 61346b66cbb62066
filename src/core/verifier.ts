/** Scores a candidate solution to a prompt; higher is better, in [0, 1] where possible. */
export type Verifier = {
  readonly name: string;
  score(options: {
    prompt: string;
    solution: string;
    abortSignal?: AbortSignal;
  }): Promise<{ score: number; stepScores?: number[] /** Tokens the verifier evaluated, where known. */; tokens?: number }>;
};
