/**
 * Verifier-gated resampling and repeated sampling with coverage.
 * `verified-resample`: sample until the verifier accepts a candidate, at most `maxSamples` (a cap is
 * essential with imperfect verifiers, per "inference scaling flaws"); otherwise the best-scored one.
 * `repeated-sampling`: draw n, select by the verifier, and report coverage (unbiased pass@k) when the
 * verifier is an oracle.
 */
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { Candidate, Strategy, StrategyResult } from "../core/strategy.js";
import type { Verifier } from "../core/verifier.js";
import { BudgetMeter } from "../internal/budget-meter.js";
import { extractAnswer as defaultExtractAnswer } from "../internal/extract-answer.js";
import { passAtK } from "../internal/statistics.js";
import { sampleCandidates } from "./sample-candidates.js";
import { createTrace, finishRun, highestScored, mergeWarnings, scoreCandidates } from "./strategy-helpers.js";

function requireRawPrompt(prompt: unknown, name: string): string {
  if (typeof prompt !== "string") throw new InvalidArgumentError({ parameter: "prompt", message: `${name} needs a raw-text prompt for its verifier` });
  return prompt;
}

export function createVerifiedResample(options: { verifier: Verifier; maxSamples?: number; threshold?: number; temperature?: number }): Strategy {
  const maxSamples = options.maxSamples ?? 8;
  const threshold = options.threshold ?? 0.5;
  const temperature = options.temperature ?? 0.7;
  if (!options.verifier) throw new InvalidArgumentError({ parameter: "verifier", message: "verified-resample needs a verifier" });
  if (!Number.isInteger(maxSamples) || maxSamples < 1)
    throw new InvalidArgumentError({ parameter: "maxSamples", value: maxSamples, message: "must be a positive integer" });
  if (!(threshold > 0 && threshold <= 1)) throw new InvalidArgumentError({ parameter: "threshold", value: threshold, message: "must be in (0, 1]" });
  return {
    name: "verified-resample",
    async run({ model, call, budget, abortSignal, extractAnswer = defaultExtractAnswer, onProgress }): Promise<StrategyResult> {
      const prompt = requireRawPrompt(call.prompt, "verified-resample");
      const meter = new BudgetMeter({ ...(budget ? { budget } : {}), ...(abortSignal ? { abortSignal } : {}) });
      const { trace, add } = createTrace();
      const candidates: Candidate[] = [];
      const warnings: StrategyResult["warnings"] = [];
      let accepted: Candidate | undefined;
      let verifierTokens = 0;
      // A per-run session: a sample drawn again is not evaluated again.
      const session = options.verifier.session?.() ?? options.verifier;
      try {
        while (!accepted && candidates.length < maxSamples && !meter.signal.aborted) {
          const seed = call.seed !== undefined ? call.seed + candidates.length * 7_919 : undefined;
          const drawn = await sampleCandidates({
            model,
            call: { ...call, ...(seed !== undefined ? { seed } : {}) },
            meter,
            n: 1,
            waveSize: 1,
            temperature,
            extractAnswer,
          });
          mergeWarnings(warnings, drawn.warnings);
          const candidate = drawn.candidates[0];
          if (!candidate) break;
          verifierTokens += await scoreCandidates(session, prompt, [candidate], abortSignal);
          candidate.score ??= 0;
          candidates.push(candidate);
          add("candidate-scored", { index: candidates.length - 1, score: candidate.score, answer: candidate.answer });
          onProgress?.({ type: "progress", message: `sample ${candidates.length}/${maxSamples} scored ${candidate.score.toFixed(2)}`, usage: meter.usage() });
          if (candidate.score >= threshold) accepted = candidate;
        }
        const chosen = accepted ?? highestScored(candidates);
        return finishRun({
          strategy: "verified-resample",
          chosen,
          confidence: chosen?.score ?? 0,
          candidates,
          meter,
          abortSignal,
          trace,
          warnings,
          settled: accepted !== undefined,
          verifierTokens,
        });
      } finally {
        meter.dispose();
      }
    },
  };
}

export function createRepeatedSampling(options: { verifier?: Verifier; n?: number; temperature?: number }): Strategy {
  const n = options.n ?? 16;
  const temperature = options.temperature ?? 0.7;
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new InvalidArgumentError({ parameter: "n", value: n, message: "must be an integer from 1 to 1024" });
  return {
    name: "repeated-sampling",
    async run({ model, call, budget, abortSignal, extractAnswer = defaultExtractAnswer }): Promise<StrategyResult> {
      const meter = new BudgetMeter({ ...(budget ? { budget } : {}), ...(abortSignal ? { abortSignal } : {}) });
      const { trace, add } = createTrace();
      try {
        const { candidates, warnings } = await sampleCandidates({ model, call, meter, n, waveSize: budget ? Math.min(n, 4) : n, temperature, extractAnswer });
        const verifier = options.verifier;
        let verifierTokens = 0;
        if (verifier) {
          const prompt = requireRawPrompt(call.prompt, "repeated-sampling");
          verifierTokens = await scoreCandidates(verifier.session?.() ?? verifier, prompt, candidates, abortSignal);
          if (verifier.name.startsWith("oracle:")) {
            const correct = candidates.filter((candidate) => (candidate.score ?? 0) >= 1).length;
            const coverage: Record<string, number> = {};
            for (let k = 1; k <= candidates.length; k *= 2) coverage[`pass@${k}`] = passAtK(candidates.length, correct, k);
            add("coverage", { oracle: verifier.name, correct, samples: candidates.length, ...coverage });
          }
        }
        const chosen = verifier ? highestScored(candidates) : candidates[0];
        return finishRun({
          strategy: "repeated-sampling",
          ...(verifier ? { verifierTokens } : {}),
          chosen,
          confidence: chosen?.score ?? 0,
          candidates,
          meter,
          abortSignal,
          trace,
          warnings,
        });
      } finally {
        meter.dispose();
      }
    },
  };
}
