// Latency samples: a growable typed array (hundreds of thousands per run) and their summary.

export class SampleBuffer {
  private data = new Float64Array(1024);
  private size = 0;

  push(value: number): void {
    if (this.size === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.size++] = value;
  }

  get length(): number {
    return this.size;
  }

  /** A copy of the samples so far (the copy is what travels over IPC). */
  values(): Float64Array {
    return this.data.slice(0, this.size);
  }
}

export interface Summary { count: number; p50: number; p95: number; p99: number; max: number }

/** Percentiles by nearest rank, as bench/latency/stats.ts computes them. */
export function summarise(parts: Float64Array[]): Summary {
  const all = new Float64Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) { all.set(part, offset); offset += part.length; }
  all.sort();
  const at = (p: number) => all.length === 0 ? Number.NaN
    : all[Math.min(all.length - 1, Math.max(0, Math.ceil((p / 100) * all.length) - 1))];
  return { count: all.length, p50: at(50), p95: at(95), p99: at(99), max: all.length ? all[all.length - 1] : Number.NaN };
}
