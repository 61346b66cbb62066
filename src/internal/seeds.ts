/**
 * How a run derives the seeds of its calls from the caller's seed, written once so that every strategy
 * (and a rerun of the same seeded run) draws the same samples. Primes keep derived seeds apart.
 */

/** Between waves of parallel samples. */
export const waveSeedStride = 104_729;
/** Between successive calls of one run (verified resampling, step expansions) and a call's parallel candidates. */
export const callSeedStride = 7_919;

/** The seed of call `index`, or undefined when the caller gave none (random sampling). */
export function seedAt(seed: number | undefined, index: number, stride: number): number | undefined {
  return seed === undefined ? undefined : seed + index * stride;
}
