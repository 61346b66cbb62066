import { MullError } from "../core/errors/mull-error.js";
import { delay } from "../internal/abort.js";

export type RetrySettings = {
  /** Retries after the first attempt. Defaults to `2`. */
  maxRetries?: number;
  /** Wait before the first retry, doubling after each. Defaults to `500` ms. */
  initialDelayMs?: number;
  /** Longest wait, also for a server's `retry-after`. Defaults to `60000` ms. */
  maxDelayMs?: number;
};

/**
 * Calls `attempt` until it succeeds, fails with an error that is not retryable (`isRetryable`), the
 * retries run out or `signal` aborts. Waits back off exponentially, or as long as a server asked
 * (`retryAfterMs`). Used by the retry middleware and by verifiers that call HTTP themselves.
 */
export async function callWithRetry<T>(options: RetrySettings & { attempt: (attempt: number) => Promise<T>; signal?: AbortSignal | undefined }): Promise<T> {
  const maxRetries = options.maxRetries ?? 2;
  const initialDelayMs = options.initialDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await options.attempt(attempt);
    } catch (error) {
      if (options.signal?.aborted || attempt >= maxRetries || !isRetryable(error)) throw error;
      const asked = (error as { retryAfterMs?: unknown }).retryAfterMs;
      const wait = typeof asked === "number" && asked >= 0 ? asked : initialDelayMs * 2 ** attempt;
      await delay(Math.min(maxDelayMs, wait), options.signal);
    }
  }
}

function isRetryable(error: unknown): boolean {
  return MullError.isInstance(error) && error.isRetryable;
}
