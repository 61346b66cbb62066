import type { Candidate } from "../core/strategy-report.js";

/**
 * One question's stored samples, as a tuner replays them: the candidates one bench unit drew, in the order drawn,
 * with their grades. The bench writes them; a strategy's tuning (`mull tune`) reads them.
 */
export type PoolItem = {
  id: string;
  /** The item's difficulty (in `mixed`, task and difficulty), for per-group tables. */
  group: string | null;
  candidates: Candidate[];
  /** Whether each candidate is right, as the bench graded it. */
  correct: boolean[];
  /** The verifier's tokens per candidate scored (the unit's total over its candidates). */
  verifierTokensPerSample: number;
};
