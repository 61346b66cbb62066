import type { CallOptions } from "../core/call-options.js";
import { CallTimeoutError } from "../core/errors/call-timeout-error.js";
import { mergeAbortSignals } from "../internal/abort.js";
import type { ModelMiddleware } from "./model-middleware.js";
import { observeStream } from "./observe-stream.js";

/** A signal that also fires after `timeoutMs`, and a mapper that turns that firing (only) into a `CallTimeoutError`. */
function armTimeout(options: { timeoutMs: number; signal?: AbortSignal | undefined; what: string }) {
  const timer = AbortSignal.timeout(options.timeoutMs);
  const signal = mergeAbortSignals(options.signal, timer) as AbortSignal;
  // Only our own timer's firing is a timeout; the caller's abort stays an abort.
  const mapError = (error: unknown) =>
    timer.aborted && !options.signal?.aborted ? new CallTimeoutError({ what: options.what, timeoutMs: options.timeoutMs, cause: error }) : error;
  return { signal, mapError };
}

/** Runs `run` with a signal that fires after `timeoutMs`; a timeout is thrown as `CallTimeoutError`. For verifiers that call HTTP themselves. */
export async function callWithTimeout<T>(options: {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  what: string;
  run: (signal: AbortSignal) => Promise<T>;
}): Promise<T> {
  const armed = armTimeout(options);
  try {
    return await options.run(armed.signal);
  } catch (error) {
    throw armed.mapError(error);
  }
}

/**
 * Cancels a call that runs longer than `timeoutMs` (a stream: until its last part) and turns the
 * cancellation into a `CallTimeoutError`, which is retryable. A backend that returns partial
 * completions when cancelled (the embedded one) returns them marked `abort` instead of failing.
 */
export function timeoutMiddleware(settings: { timeoutMs: number }): ModelMiddleware {
  const { timeoutMs } = settings;
  const what = "The model call";
  return {
    name: "timeout",
    wrapGenerate: ({ options, next }) =>
      callWithTimeout({ timeoutMs, what, signal: options.abortSignal, run: (abortSignal) => next({ ...options, abortSignal }) }),
    wrapScoreTokens: ({ options, next }) =>
      callWithTimeout({ timeoutMs, what, signal: options.abortSignal, run: (abortSignal) => next({ ...options, abortSignal }) }),
    async wrapStream({ options, next }) {
      const armed = armTimeout({ timeoutMs, what, signal: options.abortSignal });
      try {
        const call: CallOptions = { ...options, abortSignal: armed.signal };
        return observeStream(await next(call), { onDone: () => {}, mapError: armed.mapError });
      } catch (error) {
        throw armed.mapError(error);
      }
    },
  };
}
