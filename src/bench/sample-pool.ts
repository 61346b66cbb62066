/**
 * The samples `mull tune` replays: per dev question, the candidates one bench unit drew (in the order drawn),
 * whether each is right, its tokens, its confidence signals and its verifier score, as the bench stored them.
 */

import type { Candidate } from "../core/strategy-report.js";
import type { PoolItem } from "../extension/pool-item.js";
import type { UnitRecord } from "./run-store.js";

export type { PoolItem } from "../extension/pool-item.js";

type StoredCandidate = {
  text?: string;
  answer?: string | null;
  score?: number | null;
  correct?: boolean;
  completionTokens?: number;
  confidence?: Candidate["confidence"];
};

function toCandidate(stored: StoredCandidate): Candidate {
  return {
    text: stored.text ?? "",
    answer: stored.answer ?? undefined,
    finishReason: "stop",
    completionTokens: stored.completionTokens ?? 0,
    ...(typeof stored.score === "number" ? { score: stored.score } : {}),
    ...(stored.confidence ? { confidence: stored.confidence } : {}),
  };
}

/** Pools from a bench run's units of one strategy; units that errored or lack per-candidate grades are left out. */
export function poolsFromUnits(units: readonly UnitRecord[]): { pools: PoolItem[]; skipped: number } {
  const pools: PoolItem[] = [];
  let skipped = 0;
  for (const unit of units) {
    const stored = unit.detail.candidates as StoredCandidate[] | undefined;
    if (unit.error !== undefined || !Array.isArray(stored) || stored.length === 0 || stored.some((item) => typeof item.correct !== "boolean")) {
      skipped++;
      continue;
    }
    pools.push({
      id: unit.itemId,
      group: unit.difficulty,
      candidates: stored.map(toCandidate),
      correct: stored.map((item) => item.correct === true),
      verifierTokensPerSample: Number(unit.detail.verifierTokens ?? 0) / stored.length,
    });
  }
  return { pools, skipped };
}
