/**
 * Majority voting that stops as soon as a stopping rule says the answer is settled. Samples are drawn in
 * small parallel waves; the moment the rule fires, samples still in flight are cancelled, so the tokens
 * saved are real. Names: `adaptive-consistency`, `esc`, `leader-threshold`.
 */
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { Completion, FinishReason } from "../core/generate-result.js";
import type { Candidate, Strategy, StrategyResult } from "../core/strategy.js";
import type { Warning } from "../core/warning.js";
import { BudgetMeter } from "../internal/budget-meter.js";
import { extractAnswer as defaultExtractAnswer } from "../internal/extract-answer.js";
import { meteredStream } from "../internal/metered-model.js";
import { betaRule, leaderShareRule, type StoppingRule, windowRule } from "./stopping-rules.js";
import { createTrace, finishRun, isStopError, majorityVote, mergeWarnings, toCandidate } from "./strategy-helpers.js";

export type AdaptiveVoteOptions = {
  /** Most samples. Defaults to `40` (the papers' cap). */
  maxSamples?: number;
  /** Samples in flight at once. Defaults to `4` (`5` for ESC, its window). */
  waveSize?: number;
  /** Sampling temperature. Defaults to `0.7`. */
  temperature?: number;
};

function createAdaptiveVote(rule: StoppingRule, options: AdaptiveVoteOptions, defaultWave: number): Strategy {
  const maxSamples = options.maxSamples ?? 40;
  const waveSize = options.waveSize ?? defaultWave;
  const temperature = options.temperature ?? 0.7;
  if (!Number.isInteger(maxSamples) || maxSamples < 1 || maxSamples > 1024)
    throw new InvalidArgumentError({ parameter: "maxSamples", value: maxSamples, message: "must be an integer from 1 to 1024" });
  if (!Number.isInteger(waveSize) || waveSize < 1)
    throw new InvalidArgumentError({ parameter: "waveSize", value: waveSize, message: "must be a positive integer" });
  if (!Number.isFinite(temperature) || temperature < 0)
    throw new InvalidArgumentError({ parameter: "temperature", value: temperature, message: "must be a number >= 0" });
  return {
    name: rule.name,
    async run({ model, call, budget, abortSignal, extractAnswer = defaultExtractAnswer, onProgress }): Promise<StrategyResult> {
      const meter = new BudgetMeter({ ...(budget ? { budget } : {}), ...(abortSignal ? { abortSignal } : {}) });
      const { trace, add } = createTrace();
      const candidates: Candidate[] = [];
      const warnings: Warning[] = [];
      let settled = false;
      let cancelled = 0;
      try {
        for (let wave = 0; candidates.length < maxSamples && !settled && !meter.signal.aborted; wave++) {
          const size = Math.min(waveSize, maxSamples - candidates.length);
          const waveController = new AbortController();
          const texts: string[] = [];
          const logprobs: NonNullable<Completion["logprobs"]>[] = [];
          const seed = call.seed !== undefined ? call.seed + wave * 104_729 : undefined;
          const signal = waveController.signal;
          try {
            const parts = meteredStream({
              model,
              meter,
              call: { ...call, n: size, temperature, logprobs: call.logprobs ?? true, ...(seed !== undefined ? { seed } : {}), abortSignal: signal },
            });
            for await (const part of parts) {
              if (part.type === "stream-start") {
                mergeWarnings(warnings, part.warnings);
              } else if (part.type === "text-delta") {
                texts[part.index] = (texts[part.index] ?? "") + part.delta;
                if (part.logprobs) logprobs[part.index] = [...(logprobs[part.index] ?? []), ...part.logprobs];
              } else if (part.type === "completion-end") {
                const finishReason: FinishReason = part.finishReason;
                if (finishReason === "abort") {
                  cancelled++;
                  continue;
                }
                const itemLogprobs = logprobs[part.index];
                const candidate = toCandidate(
                  { text: texts[part.index] ?? "", finishReason, completionTokens: part.completionTokens, ...(itemLogprobs ? { logprobs: itemLogprobs } : {}) },
                  extractAnswer,
                );
                if (settled) continue;
                candidates.push(candidate);
                add("candidate-end", { index: candidates.length - 1, answer: candidate.answer, completionTokens: candidate.completionTokens });
                if (rule.shouldStop(candidates.map((item) => item.answer))) {
                  settled = true;
                  add("rule-fired", { rule: rule.name, samples: candidates.length });
                  // Cancel the samples still in flight: their tokens are never spent.
                  waveController.abort(new DOMException("answer settled", "AbortError"));
                }
              }
            }
          } catch (error) {
            if (!isStopError(error) && !waveController.signal.aborted) throw error;
          }
          const tally = majorityVote(candidates);
          onProgress?.({
            type: "progress",
            message: `${candidates.length} samples, leader ${tally.answer ?? "none"} (${(100 * tally.confidence).toFixed(0)}%)${settled ? ", settled" : ""}`,
            usage: meter.usage(),
            data: { samples: candidates.length, votes: tally.votes },
          });
        }
        const { answer, votes, confidence } = majorityVote(candidates);
        const chosen = candidates.find((candidate) => answer !== undefined && candidate.answer === answer);
        add("vote", { answer, votes, cancelled });
        return finishRun({ strategy: rule.name, chosen, answer, confidence, candidates, votes, meter, abortSignal, trace, warnings, settled });
      } finally {
        meter.dispose();
      }
    },
  };
}

/** Adaptive-Consistency: stop when P(leader beats runner-up) under a Beta posterior reaches `threshold` (default 0.95). */
export function createAdaptiveConsistency(options: AdaptiveVoteOptions & { threshold?: number } = {}): Strategy {
  return createAdaptiveVote(betaRule(options.threshold !== undefined ? { threshold: options.threshold } : {}), options, 4);
}

/** ESC: stop when a window of samples (default 5) is unanimous. */
export function createEsc(options: AdaptiveVoteOptions & { window?: number } = {}): Strategy {
  const window = options.window ?? 5;
  return createAdaptiveVote(windowRule({ window }), options, window);
}

/** Stop when the leader holds `threshold` (default 0.7) of at least `minSamples` (default 4) samples. */
export function createLeaderThreshold(options: AdaptiveVoteOptions & { threshold?: number; minSamples?: number } = {}): Strategy {
  return createAdaptiveVote(
    leaderShareRule({
      ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
      ...(options.minSamples !== undefined ? { minSamples: options.minSamples } : {}),
    }),
    options,
    4,
  );
}
