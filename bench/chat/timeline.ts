// Latency by the second it was sent in (BENCH_TIMELINE=1): shows whether a bad p99 is a steady
// queue, a slow start, or a few stalls (a GC pause, a busy neighbour on the machine).
import type { Samples } from './protocol.ts';
import { summarise } from './samples.ts';

export function printTimeline(name: string, parts: Samples[]): void {
  const bySecond = new Map<number, number[]>();
  const first = Math.min(...parts.map((part) => part.sentAt.reduce((min, value) => Math.min(min, value), Infinity)));
  for (const part of parts) {
    part.sentAt.forEach((sentAt, i) => {
      const second = Math.floor((sentAt - first) / 1000);
      let list = bySecond.get(second);
      if (!list) bySecond.set(second, list = []);
      list.push(part.latencies[i]);
    });
  }
  console.log(`${name}: latency by send second (p50 / p99 / max, ms)`);
  for (const second of [...bySecond.keys()].sort((a, b) => a - b)) {
    const s = summarise([Float64Array.from(bySecond.get(second)!)]);
    console.log(`  ${String(second).padStart(3)} s  ${s.p50.toFixed(0).padStart(5)} ${s.p99.toFixed(0).padStart(5)} ${s.max.toFixed(0).padStart(5)}  (${s.count})`);
  }
}
