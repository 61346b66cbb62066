/**
 * Verifier-gated resampling: sample until the verifier accepts a candidate, at most `maxSamples` (a cap is
 * essential with imperfect verifiers, per "inference scaling flaws"); otherwise the best-scored one.
 */
import { z } from "zod";
import type { Candidate } from "../../core/strategy-report.js";
import { defineStrategy } from "../../extension/define-strategy.js";
import { callSeedStride, seedAt } from "../../internal/seeds.js";
import { highestScored } from "../majority-vote.js";
import { samplesOption, temperatureOption } from "../sampling-options.js";

export const verifiedResample = defineStrategy({
  name: "verified-resample",
  description: "Samples one at a time until the verifier accepts one (score >= threshold), at most maxSamples; else the best scored",
  options: z.strictObject({
    maxSamples: samplesOption(8, "Most samples"),
    threshold: z.number().gt(0).max(1).default(0.5).describe("Verifier score that accepts a sample"),
    temperature: temperatureOption(0.7),
  }),
  verifier: "required",
  async run(context) {
    const { maxSamples, threshold, temperature } = context.options;
    const { call } = context;
    const candidates: Candidate[] = [];
    let accepted: Candidate | undefined;
    while (!accepted && candidates.length < maxSamples && !context.meter.signal.aborted) {
      const seed = seedAt(call.seed, candidates.length, callSeedStride);
      const [candidate] = await context.sample({ n: 1, waveSize: 1, temperature, call: seed !== undefined ? { seed } : {} });
      if (!candidate) break;
      await context.score([candidate]);
      candidate.score ??= 0;
      candidates.push(candidate);
      context.trace("candidate-scored", { index: candidates.length - 1, score: candidate.score, answer: candidate.answer });
      context.progress(`sample ${candidates.length}/${maxSamples} scored ${candidate.score.toFixed(2)}`);
      if (candidate.score >= threshold) accepted = candidate;
    }
    const chosen = accepted ?? highestScored(candidates);
    return { chosen, confidence: chosen?.score ?? 0, candidates, settled: accepted !== undefined };
  },
});

export type VerifiedResampleOptions = Parameters<typeof verifiedResample.create>[0];

export const createVerifiedResample = (options: VerifiedResampleOptions) => verifiedResample.create(options);

// This strategy's own trace event (core's union is open: see `TraceEventData`).
declare module "../../core/trace-event.js" {
  interface TraceEventData {
    /** verified-resample scored one sample. */
    "candidate-scored": { index: number; score: number; answer: string | undefined };
  }
}
