import { createSemaphore } from "../internal/concurrency-limit.js";
import type { ModelMiddleware } from "./model-middleware.js";
import { observeStream } from "./observe-stream.js";

/**
 * At most `maxConcurrency` calls in flight through this middleware; the rest wait their turn (and
 * leave the queue when cancelled). A stream holds its slot until it ends or is cancelled.
 */
export function concurrencyLimitMiddleware(settings: { maxConcurrency: number }): ModelMiddleware {
  const semaphore = createSemaphore(settings.maxConcurrency);
  const limited = async <T>(signal: AbortSignal | undefined, task: () => Promise<T>): Promise<T> => {
    const release = await semaphore.acquire(signal);
    try {
      return await task();
    } finally {
      release();
    }
  };
  return {
    name: "concurrency-limit",
    wrapGenerate: ({ options, next }) => limited(options.abortSignal, () => next(options)),
    wrapScoreTokens: ({ options, next }) => limited(options.abortSignal, () => next(options)),
    async wrapStream({ options, next }) {
      const release = await semaphore.acquire(options.abortSignal);
      try {
        return observeStream(await next(options), { onDone: release });
      } catch (error) {
        release();
        throw error;
      }
    },
  };
}
