/** Hands out a fixed set of context sequences to concurrent generations, first come first served. */
export class SequencePool<T> {
  readonly #free: T[];
  readonly #waiting: { resolve: (item: T) => void; reject: (reason: unknown) => void; signal: AbortSignal | undefined; onAbort: () => void }[] = [];

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

  release(item: T): void {
    const waiter = this.#waiting.shift();
    if (waiter) {
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      waiter.resolve(item);
    } else {
      this.#free.push(item);
    }
  }
}
