import type { ModelMiddleware } from "./model-middleware.js";
import { callWithRetry, type RetrySettings } from "./retry.js";

/**
 * Retries calls that fail with a retryable error (rate limits, server errors, lost connections,
 * timeouts). A stream is retried only while opening: once parts flow, a retry would repeat them.
 */
export function retryMiddleware(settings: RetrySettings = {}): ModelMiddleware {
  return {
    name: "retry",
    wrapGenerate: ({ options, next }) => callWithRetry({ ...settings, signal: options.abortSignal, attempt: () => next(options) }),
    wrapStream: ({ options, next }) => callWithRetry({ ...settings, signal: options.abortSignal, attempt: () => next(options) }),
    wrapScoreTokens: ({ options, next }) => callWithRetry({ ...settings, signal: options.abortSignal, attempt: () => next(options) }),
  };
}
