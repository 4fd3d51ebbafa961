// Counts a view at most once per IP and video within a window (PeerTube does the same with
// Redis). The memory of who viewed what is an in-process Map, bounded: past `maxEntries` the
// oldest entries are forgotten first (a forgotten viewer may count again; nothing worse). With
// several server processes each keeps its own map.
export interface ViewCounterOptions { windowMs: number; maxEntries: number; now?: () => number }

export class ViewCounter {
  readonly #seen = new Map<string, number>();
  readonly #options: ViewCounterOptions;

  constructor(options: ViewCounterOptions) {
    this.#options = options;
  }

  /** True when this view counts (first from this IP for this video within the window). */
  shouldCount(ip: string, videoId: number): boolean {
    const now = (this.#options.now ?? Date.now)();
    const key = `${videoId} ${ip}`;
    const last = this.#seen.get(key);
    if (last !== undefined && now - last < this.#options.windowMs) return false;
    // Re-insert so that Map order stays oldest-first.
    this.#seen.delete(key);
    this.#seen.set(key, now);
    for (const [oldest, at] of this.#seen) {
      if (this.#seen.size <= this.#options.maxEntries && now - at < this.#options.windowMs) break;
      this.#seen.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.#seen.size;
  }
}
