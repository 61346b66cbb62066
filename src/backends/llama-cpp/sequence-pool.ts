/** Hands out a fixed set of context sequences to concurrent generations, first come first served. */
export class SequencePool<T> {
  readonly #free: T[];
  readonly #waiting: {
    resolve: (item: T) => void;
    reject: (reason: unknown) => void;
    signal: AbortSignal | undefined;
    onAbort: () => void;
    preference: ((item: T) => number) | undefined;
    skipped: number;
  }[] = [];

  constructor(items: T[]) {
    this.#free = [...items];
  }

  get size(): number {
    return this.#free.length;
  }

  /** Takes a free item (the one `preference` rates highest, where given) or waits for one. */
  acquire(signal?: AbortSignal, preference?: (item: T) => number): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#free.length > 0) {
      let chosen = this.#free.length - 1;
      if (preference) {
        let best = -Infinity;
        this.#free.forEach((item, index) => {
          const rating = preference(item);
          if (rating > best) {
            best = rating;
            chosen = index;
          }
        });
      }
      return Promise.resolve(this.#free.splice(chosen, 1)[0] as T);
    }
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        resolve,
        reject,
        signal,
        preference,
        skipped: 0,
        onAbort: () => {
          const index = this.#waiting.indexOf(waiter);
          if (index !== -1) this.#waiting.splice(index, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  /**
   * Hands `item` to a waiter: among the oldest few, the one that rates it highest (a context holding
   * a prefix of its prompt), else the oldest; the oldest is passed over at most 8 times, so no one waits forever.
   */
  release(item: T): void {
    let chosen = 0;
    const oldest = this.#waiting[0];
    if (oldest && oldest.skipped < 8) {
      let best = Number.NEGATIVE_INFINITY;
      this.#waiting.slice(0, 8).forEach((candidate, index) => {
        const rating = candidate.preference?.(item) ?? 0;
        if (rating > best) {
          best = rating;
          chosen = index;
        }
      });
      if (chosen > 0) oldest.skipped++;
    }
    const waiter = this.#waiting.splice(chosen, 1)[0];
    if (waiter) {
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      waiter.resolve(item);
    } else {
      this.#free.push(item);
    }
  }
}
