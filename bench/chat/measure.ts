// Both servers under the same load, interleaved: each has its own fleet, connected one storm
// after the other; then the measured time is cut into slices that alternate between the servers
// (A B B A A B ...), so that a busy moment on the shared machine falls on both alike rather than
// on whichever server happened to run then. Each slice starts with a short unmeasured warm-up,
// which also lets the previous slice's last deliveries land before anything is timed.
import { cpus } from 'node:os';
import { sleep } from '../../test/helpers/wait.ts';
import type { RunningServer } from './baseline.ts';
import { benchTree, machineMeter, processMeter } from './cpu-meters.ts';
import { Fleet, type FleetSettings, type StormTotals } from './fleet.ts';
import type { Samples, Sent } from './protocol.ts';
import { summarise, type Summary } from './samples.ts';
import { quietHalf, sliceFigures, type SliceFigures, type SliceWindow } from './slices.ts';
import { printTimeline } from './timeline.ts';

export interface BenchSettings extends FleetSettings { rate: number; warmupMs: number; measureMs: number; sliceMs: number }

export interface Result {
  name: string;
  joined: number;
  joinFailed: number;
  joinError?: string;
  joinWallMs: number;
  join: Summary;
  latency: Summary;
  /** Deliveries timed, and those due: every accepted message to every joined client but its sender. */
  delivered: number;
  expected: number;
  accepted: number;
  refused: Record<string, number>;
  ack: Summary;
  /** Cores the server's processes used during its slices. */
  serverCores: number;
  fleetCores: number;
  /** The whole machine's busy share during the server's slices, 0–1 of all its cores. */
  machineBusy: number;
  fleetLoopDelayP99Ms: number;
  stillOpen: number;
  /** Each measured slice, and the latency over the half of them least disturbed by neighbours. */
  slices: SliceFigures[];
  quiet: Summary;
}

/** Time for deliveries still on their way when the last slice's last ack came back. */
const DRAIN_MS = 3000;
/** Lets the storms' last handshakes and joins settle before the timetable starts. */
const SETTLE_MS = 1000;
/** Unmeasured start of every slice but a server's first (which has the full warm-up). */
const SLICE_WARMUP_MS = 1000;

interface Line {
  server: RunningServer;
  fleet: Fleet;
  storm: StormTotals;
  /** Per slice, each fleet process's report. */
  slices: Sent[][];
  windows: SliceWindow[];
}

const CORES = cpus().length;

/** One slice of the timetable, with the CPU the server, the fleet and the machine used meanwhile. */
async function runSlice(line: Line, settings: BenchSettings, warmupMs: number, measureMs: number): Promise<void> {
  const meters = { server: processMeter(line.server.pids), bench: processMeter(benchTree), machine: machineMeter() };
  for (const meter of Object.values(meters)) meter.start();
  const { from, to, parts } = await line.fleet.send(settings.rate, warmupMs, measureMs);
  for (const meter of Object.values(meters)) meter.stop();
  const wallMs = Math.max(...parts.map((part) => part.wallMs));
  line.slices.push(parts);
  line.windows.push({
    from, to, serverCores: meters.server.share(), benchCores: meters.bench.share(), machineCores: meters.machine.share() * CORES,
    fleetCores: parts.reduce((sum, part) => sum + part.cpuMs, 0) / wallMs,
  });
}

/** An average over the slices, each weighted by its length. */
const overSlices = (line: Line, pick: (window: SliceWindow) => number) =>
  line.windows.reduce((sum, window) => sum + pick(window) * (window.to - window.from), 0)
  / line.windows.reduce((sum, window) => sum + window.to - window.from, 0);

function resultOf(line: Line, samples: Samples[]): Result {
  const sent = line.slices.flat();
  const refused: Record<string, number> = {};
  for (const part of sent) for (const [code, count] of Object.entries(part.refused)) refused[code] = (refused[code] ?? 0) + count;
  const accepted = sent.reduce((sum, part) => sum + part.accepted, 0);
  const latency = summarise(samples.map((part) => part.latencies));
  const { storm } = line;
  const slices = sliceFigures(line.windows, samples);
  return {
    name: line.server.target.name,
    joined: storm.joined, joinFailed: storm.failed, joinError: storm.firstError, joinWallMs: storm.wallMs, join: summarise(storm.joinMs),
    latency, delivered: latency.count, expected: accepted * Math.max(0, storm.joined - 1), accepted, refused,
    ack: summarise(sent.map((part) => part.ackMs)),
    serverCores: overSlices(line, (window) => window.serverCores),
    machineBusy: overSlices(line, (window) => window.machineCores) / CORES,
    fleetCores: overSlices(line, (window) => window.fleetCores),
    fleetLoopDelayP99Ms: Math.max(...sent.map((part) => part.loopDelayP99Ms)),
    stillOpen: samples.reduce((sum, part) => sum + part.open, 0),
    slices: slices.map(({ latency, neighbours }) => ({ latency, neighbours })),
    quiet: quietHalf(slices),
  };
}

export async function measure(servers: RunningServer[], settings: BenchSettings): Promise<Result[]> {
  const fleets = servers.map(() => new Fleet(settings));
  try {
    const lines: Line[] = [];
    // One storm at a time: each is timed on its own.
    for (const [index, server] of servers.entries()) {
      const fleet = fleets[index];
      lines.push({ server, fleet, storm: await fleet.connect(server.target), slices: [], windows: [] });
    }
    await sleep(SETTLE_MS);
    const count = Math.max(1, Math.round(settings.measureMs / settings.sliceMs));
    for (let slice = 0; slice < count; slice++) {
      const order = slice % 2 === 0 ? lines : [...lines].reverse();
      for (const line of order) await runSlice(line, settings, slice === 0 ? settings.warmupMs : SLICE_WARMUP_MS, settings.measureMs / count);
    }
    await sleep(DRAIN_MS);
    const results: Result[] = [];
    for (const line of lines) {
      const samples = await line.fleet.collect();
      if (process.env.BENCH_TIMELINE) printTimeline(line.server.target.name, samples);
      results.push(resultOf(line, samples));
    }
    return results;
  } finally {
    await Promise.all(fleets.map((fleet) => fleet.close()));
  }
}
