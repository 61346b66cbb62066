/**
 * Inference-time architecture search (after Archon's ITAS), by successive halving: every architecture of the
 * space runs on the first questions of the dev set, the best third goes on to the next questions, and so on;
 * each architecture's score is over all the questions it ran (no question runs twice). The ranking: with a
 * token budget, those within it first, by accuracy, then fewer tokens; without one, accuracy, then tokens.
 */
import { type Architecture, type ArchitectureInput, parseArchitecture } from "./architecture.js";

/** One architecture's totals so far. */
export type ArchitectureScore = {
  name: string;
  questions: number;
  correct: number;
  /** Generated plus verifier tokens, summed over its questions. */
  tokens: number;
  generatedTokens: number;
  verifierTokens: number;
};

/**
 * The default space, stated: samples {4, 8, 16} × a middle layer (none; the verifier keeps the best 2 or 4; the
 * verifier critic marks weak steps and the policy resamples 1 or 2 times from before them) × the answer (a vote,
 * a verifier-weighted vote, the verifier's best), less the 6 that repeat another: the verifier's best of the
 * best 2 or 4 is its best of all. 39 architectures; each needs a verifier, a process one for the resampling
 * middles. (The best 4 of 4 is kept before a vote: ordered by score, the vote answers with the best-scored of
 * the winning answer's samples.)
 */
export function defaultArchitectureSpace(): { name: string; architecture: Architecture }[] {
  const middles: { name: string; layers: ArchitectureInput["layers"] }[] = [
    { name: "", layers: [] },
    { name: "-top2", layers: [[{ role: "ranker", using: "verifier", topK: 2 }]] },
    { name: "-top4", layers: [[{ role: "ranker", using: "verifier", topK: 4 }]] },
    ...[1, 2].map((samples) => ({
      name: `-refine${samples}`,
      layers: [[{ role: "critic" as const, using: "verifier" as const }], [{ role: "refiner" as const, using: "resample" as const, samples }]],
    })),
  ];
  const answers: { name: string; layers: ArchitectureInput["layers"]; select: "vote" | "first" }[] = [
    { name: "-vote", layers: [], select: "vote" },
    { name: "-weighted", layers: [[{ role: "fuser", using: "weighted-vote" }]], select: "first" },
    { name: "-best", layers: [[{ role: "ranker", using: "verifier", topK: 1 }]], select: "first" },
  ];
  return [4, 8, 16].flatMap((samples) =>
    middles.flatMap((middle) =>
      answers.flatMap((answer) => {
        if (middle.name.startsWith("-top") && answer.name === "-best") return [];
        const name = `sample${samples}${middle.name}${answer.name}`;
        const layers = [[{ role: "generator" as const, samples }], ...middle.layers, ...answer.layers];
        return [{ name, architecture: parseArchitecture({ kind: "mull-architecture", version: 1, name, layers, select: answer.select }, name) }];
      }),
    ),
  );
}

/** How many of `total` questions each round has run by its end: the last round all; each earlier one a `keep`-th of the next. */
export function roundSizes(total: number, rounds: number, keep: number): number[] {
  const sizes = Array.from({ length: rounds }, (_, index) => Math.max(1, Math.ceil(total / keep ** (rounds - 1 - index))));
  return sizes.map((size, index) => Math.min(total, Math.max(size, (sizes[index - 1] ?? 0) + 1)));
}

const accuracy = (score: ArchitectureScore) => (score.questions > 0 ? score.correct / score.questions : 0);
const tokensPerQuestion = (score: ArchitectureScore) => (score.questions > 0 ? score.tokens / score.questions : 0);

/** Best first (see the module's comment). */
export function rankArchitectures(scores: ArchitectureScore[], tokenBudget: number | undefined): ArchitectureScore[] {
  const within = (score: ArchitectureScore) => tokenBudget === undefined || tokensPerQuestion(score) <= tokenBudget;
  return [...scores].sort((a, b) => {
    if (within(a) !== within(b)) return within(a) ? -1 : 1;
    if (!within(a)) return tokensPerQuestion(a) - tokensPerQuestion(b);
    return accuracy(b) - accuracy(a) || tokensPerQuestion(a) - tokensPerQuestion(b);
  });
}

/** The survivors of a round: the best `1/keep` of them (at least one). */
export function survivors(scores: ArchitectureScore[], tokenBudget: number | undefined, keep: number): ArchitectureScore[] {
  return rankArchitectures(scores, tokenBudget).slice(0, Math.max(1, Math.ceil(scores.length / keep)));
}
