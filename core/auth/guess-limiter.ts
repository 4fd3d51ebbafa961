// Throttles guessing of secrets (video passwords, account passwords). Every try is counted as a
// failure BEFORE the costly check runs (so parallel guesses cannot all slip under the limit while
// their scrypt is still running) and handed back when it turns out right. Once a key has
// `maxFailures` in its window, every try on it is refused, the right secret too: answering a right
// guess differently would let a throttled guesser keep testing for free.
// Fixed windows in memory, per process; bounded so that many clients cannot exhaust memory.

export interface GuessRule { prefix: string; maxFailures: number; windowSeconds: number }

export type GuessTicket =
  | { allowed: true; /** The guess was right: it does not count. */ succeeded(): void }
  | { allowed: false; retryAfterSeconds: number };

const MAX_KEYS = 100_000;

type GuessKeys = Array<[GuessRule, string | number | undefined]>;

const entriesOf = (keys: GuessKeys) =>
  keys.filter(([, key]) => key !== undefined).map(([rule, key]) => ({ rule, key: `${rule.prefix}:${key}` }));

export class GuessLimiter {
  private readonly windows = new Map<string, { failures: number; resetAt: number }>();

  /** Reserves one try on each (rule, key) pair, or says how long until the first full window ends. */
  reserve(keys: GuessKeys, now = Date.now()): GuessTicket {
    const entries = entriesOf(keys);
    const retryAfterSeconds = this.retryAfter(keys, now);
    if (retryAfterSeconds > 0) return { allowed: false, retryAfterSeconds };
    const counted = entries.map(({ rule, key }) => this.count(key, rule, now));
    let released = false;
    return {
      allowed: true,
      succeeded: () => {
        if (released) return;
        released = true;
        for (const window of counted) window.failures = Math.max(0, window.failures - 1);
      },
    };
  }

  /** Seconds until every full window among `keys` ends; 0 when none is full. Counts nothing. */
  retryAfter(keys: GuessKeys, now = Date.now()): number {
    let retryAfterMs = 0;
    for (const { rule, key } of entriesOf(keys)) {
      const window = this.windows.get(key);
      if (window && window.resetAt > now && window.failures >= rule.maxFailures) retryAfterMs = Math.max(retryAfterMs, window.resetAt - now);
    }
    return Math.ceil(retryAfterMs / 1000);
  }

  private count(key: string, rule: GuessRule, now: number) {
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      if (!window && this.windows.size >= MAX_KEYS) this.prune(now);
      window = { failures: 0, resetAt: now + rule.windowSeconds * 1000 };
      this.windows.set(key, window);
    }
    window.failures += 1;
    return window;
  }

  private prune(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    // Still full: the oldest windows go first (Map keeps insertion order).
    for (const key of this.windows.keys()) {
      if (this.windows.size < MAX_KEYS) break;
      this.windows.delete(key);
    }
  }
}
