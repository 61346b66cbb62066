/** A counting semaphore: at most `limit` holders at once; waiters leave the queue when their signal aborts. */
export type Semaphore = {
  /** Waits for a slot; the returned function gives it back (calling it twice is harmless). */
  acquire(signal?: AbortSignal): Promise<() => void>;
  /** Holders now. */
  readonly active: number;
};

export function createSemaphore(limit: number): Semaphore {
  let active = 0;
  const queue: (() => void)[] = [];
  const releaser = () => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the slot straight to the next waiter, so that no newcomer slips in between.
      const next = queue.shift();
      if (next) next();
      else active--;
    };
  };
  return {
    get active() {
      return active;
    },
    async acquire(signal) {
      if (signal?.aborted) throw signal.reason;
      if (active >= limit) {
        await new Promise<void>((resolve, reject) => {
          const start = () => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
          };
          const onAbort = () => {
            const index = queue.indexOf(start);
            if (index !== -1) queue.splice(index, 1);
            reject(signal?.reason);
          };
          signal?.addEventListener("abort", onAbort, { once: true });
          queue.push(start);
        });
        return releaser();
      }
      active++;
      return releaser();
    },
  };
}

/** Runs tasks under a semaphore of `limit` slots. */
export function createConcurrencyLimit(limit: number): <T>(task: () => Promise<T>, signal?: AbortSignal) => Promise<T> {
  const semaphore = createSemaphore(limit);
  return async (task, signal) => {
    const release = await semaphore.acquire(signal);
    try {
      return await task();
    } finally {
      release();
    }
  };
}
