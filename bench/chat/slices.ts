// Figures per measured slice, and over the quieter half of them. The machine is shared: a test
// run or a compiler next door can stall a slice for seconds. Each slice's "neighbours" (cores busy
// on the machine outside this bench's processes) says how disturbed it was; the quieter half of
// the slices gives a figure that the neighbours hardly touch.
import type { Samples } from './protocol.ts';
import { summarise, type Summary } from './samples.ts';

export interface SliceWindow {
  from: number;
  to: number;
  serverCores: number;
  fleetCores: number;
  /** Every process of the bench: both servers, both fleets, this one. */
  benchCores: number;
  machineCores: number;
}

export interface SliceFigures { latency: Summary; neighbours: number }

/** Sends late by this much still belong to the slice (the other server's slice follows, not this one's). */
const LATE_SEND_MS = 500;

function samplesIn(parts: Samples[], from: number, to: number): Float64Array {
  const picked: number[] = [];
  for (const part of parts) {
    part.sentAt.forEach((sentAt, i) => { if (sentAt >= from && sentAt < to + LATE_SEND_MS) picked.push(part.latencies[i]); });
  }
  return Float64Array.from(picked);
}

export function sliceFigures(windows: SliceWindow[], parts: Samples[]): Array<SliceFigures & { samples: Float64Array }> {
  return windows.map((window) => {
    const samples = samplesIn(parts, window.from, window.to);
    return { samples, latency: summarise([samples]), neighbours: Math.max(0, window.machineCores - window.benchCores) };
  });
}

/** Latency pooled over the half of the slices (rounded up) with the least load from neighbours. */
export function quietHalf(slices: Array<SliceFigures & { samples: Float64Array }>): Summary {
  const quiet = [...slices].sort((a, b) => a.neighbours - b.neighbours).slice(0, Math.ceil(slices.length / 2));
  return summarise(quiet.map((slice) => slice.samples));
}
