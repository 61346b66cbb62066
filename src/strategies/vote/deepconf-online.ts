/**
 * DeepConf online: `warmup` traces drawn whole set the threshold; later traces are streamed one per call, so
 * that each can be stopped alone the moment the mean confidence of its last `window` tokens falls under the
 * threshold (a stopped trace does not vote; its tokens are spent and counted); the run stops, cancelling
 * traces in flight, once the leading answer holds `consensus` of the confidence-weighted vote. An engine that
 * sends a candidate's tokens only when it ends (the llama-server engine) gets the filter and the consensus
 * stop, not the early stop of a trace.
 */
import type { TokenLogprob } from "../../core/generate-result.js";
import type { Candidate } from "../../core/strategy-report.js";
import type { RunContext, RunOutcome } from "../../extension/run-context.js";
import { isStopError } from "../../extension/stop-error.js";
import { toCandidate } from "../../extension/to-candidate.js";
import { readStream } from "../../internal/read-stream.js";
import { seedAt, waveSeedStride } from "../../internal/seeds.js";
import { tokenConfidence } from "../../internal/token-confidence.js";
import { firstWithAnswer, majorityVote } from "../majority-vote.js";
import type { DeepConfSettings } from "./deepconf-options.js";
import { confidenceOf, keepThreshold } from "./deepconf-vote.js";

type OnlineState = {
  threshold: number;
  accepted: Candidate[];
  all: Candidate[];
  stoppedEarly: number;
  settled: boolean;
  /** The traces streaming now, cancelled once the vote settles. */
  inFlight: Set<AbortController>;
};

function weightedVote(state: OnlineState, settings: DeepConfSettings) {
  return majorityVote(state.accepted, (candidate) => confidenceOf(candidate, settings.metric) ?? 0);
}

/** Adds a finished trace; once the vote is settled, cancels the traces still in flight (their tokens are never spent). */
function accept(state: OnlineState, candidate: Candidate, settings: DeepConfSettings): void {
  state.all.push(candidate);
  if ((confidenceOf(candidate, settings.metric) ?? Number.NEGATIVE_INFINITY) >= state.threshold) state.accepted.push(candidate);
  state.settled = weightedVote(state, settings).confidence >= settings.consensus;
  if (state.settled) for (const controller of state.inFlight) controller.abort(new DOMException("answer settled", "AbortError"));
}

export async function runOnlineDeepConf(context: RunContext<DeepConfSettings>): Promise<RunOutcome> {
  const { n, temperature, keep, metric, window, topLogprobs, warmup } = context.options;
  const call = { logprobs: true, topLogprobs };
  const first = Math.min(warmup, n);
  const warm = await context.sample({ n: first, temperature, waveSize: context.waveSize(first, context.options.waveSize), call, confidenceWindow: window });
  const values = warm.map((candidate) => confidenceOf(candidate, metric));
  if (values.some((value) => value === undefined)) {
    context.warn([{ type: "other", message: "deepconf: the model returned no top log-probabilities; voted without confidence" }]);
    const tally = majorityVote(warm);
    return { chosen: firstWithAnswer(warm, tally.answer), ...tally, candidates: warm };
  }
  const threshold = keepThreshold(values as number[], keep);
  const state: OnlineState = { threshold, accepted: [], all: [], stoppedEarly: 0, settled: false, inFlight: new Set() };
  for (const candidate of warm) accept(state, candidate, context.options);
  const inFlight = context.options.waveSize ?? 4;
  for (let drawn = first; drawn < n && !state.settled && !context.meter.signal.aborted; drawn += inFlight) {
    const size = Math.min(inFlight, n - drawn);
    await Promise.all(Array.from({ length: size }, (_, index) => streamTrace(context, state, drawn + index)));
  }
  const tally = weightedVote(state, context.options);
  context.trace("confidence-filter", {
    metric,
    threshold: state.threshold,
    kept: state.accepted.length,
    of: state.all.length,
    stoppedEarly: state.stoppedEarly,
  });
  context.trace("vote", { answer: tally.answer, votes: tally.votes, cancelled: state.stoppedEarly });
  return { chosen: firstWithAnswer(state.accepted, tally.answer), ...tally, candidates: state.all, settled: state.settled };
}

/**
 * Watches a trace's tokens: the mean confidence of its last `window` tokens, and whether it fell under the
 * threshold (once it does, `onLow` runs once).
 */
function confidenceWatch(window: number, threshold: number, onLow: () => void) {
  const recent: number[] = [];
  let sum = 0;
  let low = false;
  return {
    get low() {
      return low;
    },
    add(item: TokenLogprob) {
      const confidence = tokenConfidence(item) ?? Number.POSITIVE_INFINITY;
      recent.push(confidence);
      sum += confidence - (recent.length > window ? (recent.shift() as number) : 0);
      if (!low && recent.length === window && sum / window < threshold) {
        low = true;
        onLow();
      }
    },
  };
}

/** One trace as its own stream, stopped when its last `window` tokens' confidence falls under the threshold or the vote settles. */
async function streamTrace(context: RunContext<DeepConfSettings>, state: OnlineState, number: number): Promise<void> {
  const { temperature, topLogprobs, window } = context.options;
  const controller = new AbortController();
  const seed = seedAt(context.call.seed, number, waveSeedStride);
  const logprobs: TokenLogprob[] = [];
  let text = "";
  const watch = confidenceWatch(window, state.threshold, () => {
    state.stoppedEarly++;
    controller.abort(new DOMException("trace under the confidence threshold", "AbortError"));
  });
  state.inFlight.add(controller);
  try {
    const call = { ...context.call, n: 1, temperature, logprobs: true, topLogprobs, ...(seed !== undefined ? { seed } : {}) };
    const stream = await context.model.doStream({ ...call, abortSignal: controller.signal });
    for await (const part of readStream(stream)) {
      if (part.type === "stream-start") context.warn(part.warnings);
      else if (part.type === "text-delta") {
        text += part.delta;
        for (const item of part.logprobs ?? []) {
          logprobs.push(item);
          watch.add(item);
        }
      } else if (part.type === "completion-end" && !watch.low && part.finishReason !== "abort" && !state.settled) {
        const completion = { text, finishReason: part.finishReason, completionTokens: part.completionTokens, logprobs };
        accept(state, toCandidate(completion, context.extractAnswer, context.toolVote, window), context.options);
      }
    }
  } catch (error) {
    if (!isStopError(error) && !controller.signal.aborted) throw error;
  } finally {
    state.inFlight.delete(controller);
  }
}
