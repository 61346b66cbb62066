/**
 * Majority voting that stops as soon as a stopping rule says the answer is settled. Samples are drawn in
 * small parallel waves; the moment the rule fires, samples still in flight are cancelled, so the tokens
 * saved are real. Used by `adaptive-consistency`, `esc` and `leader-threshold`.
 */
import { z } from "zod";
import type { TokenLogprob } from "../../core/generate-result.js";
import type { Candidate } from "../../core/strategy-report.js";
import type { StreamPart } from "../../core/stream-part.js";
import type { RunContext, RunOutcome } from "../../extension/run-context.js";
import { isStopError } from "../../extension/stop-error.js";
import { toCandidate } from "../../extension/to-candidate.js";
import { readStream } from "../../internal/read-stream.js";
import { seedAt, waveSeedStride } from "../../internal/seeds.js";
import { firstWithAnswer, highestScored, majorityVote } from "../majority-vote.js";
import { samplesOption, temperatureOption } from "../sampling-options.js";
import type { StoppingRule } from "./stopping-rules.js";

/** The options of a vote that stops on a leader's share or a posterior: each strategy's own defaults. */
export function adaptiveVoteOptions(defaults: { threshold: number; thresholdDescription: string; minSamples: number }) {
  return {
    maxSamples: samplesOption(40, "Most samples (the papers' cap)"),
    threshold: z.number().gt(0).max(1).default(defaults.threshold).describe(defaults.thresholdDescription),
    minSamples: z.number().int().min(1).max(1024).default(defaults.minSamples).describe("Answers needed before the rule may stop"),
    waveSize: z.number().int().min(1).max(1024).default(4).describe("Samples in flight at once"),
    temperature: temperatureOption(0.7),
  };
}

export type AdaptiveVoteOptions = { maxSamples: number; temperature: number };

/** One run's state: the candidates so far, whether the rule fired, the samples it cancelled, and a verified stop's candidate. */
type VoteState = { candidates: Candidate[]; settled: boolean; cancelled: number; verified?: Candidate };

/**
 * Votes in waves of `waveSize` samples until the rule fires or `maxSamples` are drawn. `options.candidates` and
 * `options.wave` continue a vote: candidates already drawn (they count toward `maxSamples` and the rule) and the
 * first wave number (seeds differ from the waves that drew them); defaults to none and wave 0. With
 * `options.verifiedStop`, each wave's samples are scored by the verifier once the wave ends, and a score at or
 * above it stops the vote with that sample's answer (with waves of one, after every sample); defaults to off.
 */
export async function runAdaptiveVote(
  context: RunContext<AdaptiveVoteOptions>,
  rule: StoppingRule,
  waveSize: number,
  options: { candidates?: Candidate[]; wave?: number; verifiedStop?: number | undefined } = {},
): Promise<RunOutcome> {
  const { maxSamples } = context.options;
  const state: VoteState = { candidates: [...(options.candidates ?? [])], settled: false, cancelled: 0 };
  state.settled = state.candidates.length > 0 && rule.shouldStop(state.candidates.map((candidate) => candidate.answer));
  for (let wave = options.wave ?? 0; state.candidates.length < maxSamples && !state.settled && !context.meter.signal.aborted; wave++) {
    await streamWave(context, rule, state, { wave, size: Math.min(waveSize, maxSamples - state.candidates.length) });
    if (options.verifiedStop !== undefined && !state.settled) await checkVerified(context, state, options.verifiedStop);
    const tally = majorityVote(state.candidates);
    const leader = `${tally.answer ?? "none"} (${(100 * tally.confidence).toFixed(0)}%)`;
    context.progress(`${state.candidates.length} samples, leader ${leader}${state.settled ? ", settled" : ""}`, {
      samples: state.candidates.length,
      votes: tally.votes,
    });
  }
  const { answer, votes, confidence } = majorityVote(state.candidates);
  const { verified } = state;
  // The answer traced is the one returned: a verified sample's where it stopped the vote.
  context.trace("vote", { answer: verified ? verified.answer : answer, votes, cancelled: state.cancelled });
  if (verified) return { chosen: verified, answer: verified.answer, confidence: verified.score ?? 0, candidates: state.candidates, votes, settled: true };
  return { chosen: firstWithAnswer(state.candidates, answer), answer, confidence, candidates: state.candidates, votes, settled: state.settled };
}

/** Scores the samples not yet scored; the best one at or above `threshold` with an answer settles the vote. */
async function checkVerified(context: RunContext<AdaptiveVoteOptions>, state: VoteState, threshold: number) {
  const unscored = state.candidates.filter((candidate) => candidate.score === undefined);
  if (unscored.length === 0 || context.abortSignal?.aborted) return;
  await context.score(unscored);
  const best = highestScored(unscored.filter((candidate) => candidate.answer !== undefined));
  if (best === undefined || (best.score ?? 0) < threshold) return;
  state.settled = true;
  state.verified = best;
  context.trace("rule-fired", { rule: `verified-stop (score ${(best.score ?? 0).toFixed(3)} >= ${threshold})`, samples: state.candidates.length });
}

/** Streams one wave of parallel samples, adding each finished one and cancelling the rest once the rule fires. */
async function streamWave(context: RunContext<AdaptiveVoteOptions>, rule: StoppingRule, state: VoteState, wave: { wave: number; size: number }) {
  const controller = new AbortController();
  const texts: string[] = [];
  const logprobs: TokenLogprob[][] = [];
  const seed = seedAt(context.call.seed, wave.wave, waveSeedStride);
  const call = { ...context.call, n: wave.size, temperature: context.options.temperature, logprobs: context.call.logprobs ?? true };
  const onEnd = (part: Extract<StreamPart, { type: "completion-end" }>) => {
    if (part.finishReason === "abort") {
      state.cancelled++;
      return;
    }
    if (state.settled) return;
    const itemLogprobs = logprobs[part.index];
    const completion = { text: texts[part.index] ?? "", finishReason: part.finishReason, completionTokens: part.completionTokens };
    const candidate = toCandidate({ ...completion, ...(itemLogprobs ? { logprobs: itemLogprobs } : {}) }, context.extractAnswer, context.toolVote);
    state.candidates.push(candidate);
    context.trace("candidate-end", { index: state.candidates.length - 1, answer: candidate.answer, completionTokens: candidate.completionTokens });
    if (!rule.shouldStop(state.candidates.map((item) => item.answer))) return;
    state.settled = true;
    context.trace("rule-fired", { rule: rule.name, samples: state.candidates.length });
    // Cancel the samples still in flight: their tokens are never spent.
    controller.abort(new DOMException("answer settled", "AbortError"));
  };
  try {
    const stream = await context.model.doStream({ ...call, ...(seed !== undefined ? { seed } : {}), abortSignal: controller.signal });
    for await (const part of readStream(stream)) {
      if (part.type === "stream-start") context.warn(part.warnings);
      else if (part.type === "text-delta") {
        texts[part.index] = (texts[part.index] ?? "") + part.delta;
        if (part.logprobs) logprobs[part.index] = [...(logprobs[part.index] ?? []), ...part.logprobs];
      } else if (part.type === "completion-end") onEnd(part);
    }
  } catch (error) {
    if (!isStopError(error) && !controller.signal.aborted) throw error;
  }
}
