import type { Candidate } from "../core/strategy-report.js";

/** Majority vote over non-abstaining answers; ties go to the answer seen first. */
export function majorityVote(
  candidates: Candidate[],
  weight: (candidate: Candidate) => number = () => 1,
): { answer: string | undefined; votes: Record<string, number>; confidence: number } {
  const votes: Record<string, number> = {};
  const order: string[] = [];
  let total = 0;
  for (const candidate of candidates) {
    if (candidate.answer === undefined) continue;
    if (!(candidate.answer in votes)) order.push(candidate.answer);
    const value = weight(candidate);
    votes[candidate.answer] = (votes[candidate.answer] ?? 0) + value;
    total += value;
  }
  let answer: string | undefined;
  for (const item of order) if (answer === undefined || (votes[item] ?? 0) > (votes[answer] ?? 0)) answer = item;
  return { answer, votes, confidence: answer === undefined || total === 0 ? 0 : (votes[answer] ?? 0) / total };
}

/** The candidate with the highest score; ties go to the earliest. */
export function highestScored<Item extends { score?: number }>(candidates: Item[]): Item | undefined {
  let chosen: Item | undefined;
  for (const candidate of candidates) if (chosen === undefined || (candidate.score ?? 0) > (chosen.score ?? 0)) chosen = candidate;
  return chosen;
}

/** The first candidate that gave `answer`. */
export function firstWithAnswer(candidates: Candidate[], answer: string | undefined): Candidate | undefined {
  return answer === undefined ? undefined : candidates.find((candidate) => candidate.answer === answer);
}
