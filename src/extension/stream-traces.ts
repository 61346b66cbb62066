/**
 * `k` traces streamed at once, each its own call with its own cancellation, for strategies that stop some of
 * them before they finish (short-m@k, ST-BoN, ...). A trace's tokens are spent and counted whether it finishes or
 * is stopped (the run's metered model records what each stream reported); a stopped trace never becomes a
 * candidate. Seeds follow the run's, trace by trace, as a wave of samples would.
 */
import type { TokenLogprob } from "../core/generate-result.js";
import type { Candidate } from "../core/strategy-report.js";
import type { StreamPart } from "../core/stream-part.js";
import { readStream } from "../internal/read-stream.js";
import { seedAt, waveSeedStride } from "../internal/seeds.js";
import type { RunContext } from "./run-context.js";
import { isStopError } from "./stop-error.js";
import { toCandidate } from "./to-candidate.js";

/** One trace as it streams: its text so far and how many tokens it has written. */
export type LiveTrace = { index: number; text: string; tokens: number; done: boolean; stopped: boolean; stop(reason: string): void };

export type StreamTracesOptions = {
  k: number;
  temperature: number;
  /** Top log-probabilities per token, where a trace's candidate should carry confidence signals. Defaults to none. */
  topLogprobs?: number;
  /** Called as a trace grows (after each text delta), with every live trace. */
  onDelta?: (trace: LiveTrace, traces: readonly LiveTrace[]) => void;
  /** Called when a trace finishes (not when it is stopped), with its candidate. */
  onFinish?: (candidate: Candidate, trace: LiveTrace, traces: readonly LiveTrace[]) => void;
};

/** A trace's handle: stopping it aborts its call; a finished or stopped trace cannot be stopped again. */
function liveTrace(index: number, controller: AbortController): LiveTrace {
  const trace: LiveTrace = {
    index,
    text: "",
    tokens: 0,
    done: false,
    stopped: false,
    stop(reason) {
      if (trace.done || trace.stopped) return;
      trace.stopped = true;
      controller.abort(new DOMException(reason, "AbortError"));
    },
  };
  return trace;
}

/** What one trace does with each part of its stream: grow its text, or become a candidate when it finishes (not when stopped). */
function partReader(state: {
  context: RunContext<unknown>;
  options: StreamTracesOptions;
  trace: LiveTrace;
  traces: LiveTrace[];
  finished: Candidate[];
}): (part: StreamPart) => void {
  const { context, options, trace, traces, finished } = state;
  const logprobs: TokenLogprob[] = [];
  return (part) => {
    if (part.type === "stream-start") context.warn(part.warnings);
    if (trace.stopped) return;
    if (part.type === "text-delta") {
      trace.text += part.delta;
      trace.tokens += Math.max(1, part.logprobs?.length ?? 1);
      logprobs.push(...(part.logprobs ?? []));
      options.onDelta?.(trace, traces);
    } else if (part.type === "completion-end" && part.finishReason !== "abort") {
      trace.done = true;
      trace.tokens = part.completionTokens;
      const completion = {
        text: trace.text,
        finishReason: part.finishReason,
        completionTokens: part.completionTokens,
        ...(logprobs.length ? { logprobs } : {}),
      };
      const candidate = toCandidate(completion, context.extractAnswer, context.toolVote);
      finished.push(candidate);
      options.onFinish?.(candidate, trace, traces);
    }
  };
}

/** Streams `k` traces to their end or their stop; returns the finished ones' candidates in the order they finished. */
export async function streamTraces(context: RunContext<unknown>, options: StreamTracesOptions): Promise<Candidate[]> {
  const finished: Candidate[] = [];
  const traces: LiveTrace[] = [];
  const asks = options.topLogprobs !== undefined ? { logprobs: true, topLogprobs: options.topLogprobs } : {};
  const run = async (index: number) => {
    const controller = new AbortController();
    const trace = liveTrace(index, controller);
    traces.push(trace);
    const read = partReader({ context, options, trace, traces, finished });
    const seed = seedAt(context.call.seed, index, waveSeedStride);
    try {
      const call = { ...context.call, n: 1, temperature: options.temperature, ...asks, ...(seed !== undefined ? { seed } : {}) };
      for await (const part of readStream(await context.model.doStream({ ...call, abortSignal: controller.signal }))) read(part);
    } catch (error) {
      if (!isStopError(error) && !controller.signal.aborted) throw error;
    }
  };
  await Promise.all(Array.from({ length: options.k }, (_, index) => run(index)));
  return finished;
}
