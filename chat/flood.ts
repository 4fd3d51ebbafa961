// Anti-flood: at most `limit` messages per `windowMs` for one identity, counted in this process.
// A sliding window of timestamps, small because the limit is small.
export class FloodGuard {
  private readonly sent = new Map<string, number[]>();
  private lastSweep = Date.now();

  private readonly limit: number;
  private readonly windowMs: number;

  constructor(limit: number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  /** 0 when the message may go, else the milliseconds until it may. Counts the message when it may go. */
  take(key: string, now = Date.now()): number {
    this.sweep(now);
    const times = (this.sent.get(key) ?? []).filter((time) => now - time < this.windowMs);
    if (times.length >= this.limit) {
      this.sent.set(key, times);
      return this.windowMs - (now - times[0]);
    }
    times.push(now);
    this.sent.set(key, times);
    return 0;
  }

  /** Forget identities idle for a whole window, so the map stays bounded by the active ones. */
  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, times] of this.sent) {
      if (now - times[times.length - 1] >= this.windowMs) this.sent.delete(key);
    }
  }
}
