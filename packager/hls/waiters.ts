// Requests parked until the stream reaches a point (blocking playlist reload, preload-hinted
// parts). Each waiter's condition is rechecked when the rendition changes: no polling, and a
// waiter resolves in the same tick as the part that satisfies it.

export interface WaitOptions {
  timeoutMs: number;
  /** Aborted when the HTTP client goes away, so a dead request holds nothing. */
  signal?: AbortSignal;
}

/** Outcomes for the ways a wait can end without its condition. */
export interface WaitFallbacks<T> {
  timeout: T;
  aborted: T;
  /** Too many waiters already: refuse rather than grow. */
  busy: T;
}

interface Waiter<T> {
  check: () => T | undefined;
  settle: (outcome: T) => void;
}

export class Waiters<T> {
  readonly #limit: number;
  readonly #waiters = new Set<Waiter<T>>();
  #timedOut = 0;
  #refused = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get size(): number { return this.#waiters.size; }
  get timedOut(): number { return this.#timedOut; }
  get refused(): number { return this.#refused; }

  /** Resolves with `check()`'s first defined answer, now or after a later `recheck()`. */
  wait(check: () => T | undefined, fallbacks: WaitFallbacks<T>, options: WaitOptions): Promise<T> {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    if (options.signal?.aborted) return Promise.resolve(fallbacks.aborted);
    if (this.#waiters.size >= this.#limit) {
      this.#refused++;
      return Promise.resolve(fallbacks.busy);
    }
    return new Promise<T>((resolve) => {
      const onAbort = (): void => waiter.settle(fallbacks.aborted);
      const timer = setTimeout(() => {
        this.#timedOut++;
        waiter.settle(fallbacks.timeout);
      }, options.timeoutMs);
      const waiter: Waiter<T> = {
        check,
        settle: (outcome) => {
          if (!this.#waiters.delete(waiter)) return;
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          resolve(outcome);
        },
      };
      this.#waiters.add(waiter);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Re-evaluates every waiter; call after each change that may satisfy one. */
  recheck(): void {
    for (const waiter of [...this.#waiters]) {
      const outcome = waiter.check();
      if (outcome !== undefined) waiter.settle(outcome);
    }
  }
}
