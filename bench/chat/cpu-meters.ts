// CPU meters, read from /proc (Linux): how much of the 2-core machine each server needed for the
// same load, what the fleet and the whole bench used, and how busy the machine was (neighbours
// included). Our server is found by a marker in its environment, its embedded Postgres as its
// descendants.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** utime + stime of one process, ms; 0 if it is gone. */
function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces, in parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function environHas(pid: string, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(marker);
  } catch {
    return false;
  }
}

function parentOf(pid: string): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
  } catch {
    return undefined;
  }
}

const processIds = () => {
  try {
    return readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
};

/** `roots` and all their descendants (a few generations: node → postmaster → backend). */
function withDescendants(roots: string[]): number[] {
  const found = new Set(roots);
  const parents = new Map(processIds().map((pid) => [pid, parentOf(pid)]));
  for (let depth = 0; depth < 4; depth++) {
    for (const [pid, parent] of parents) if (parent && found.has(parent)) found.add(pid);
  }
  return [...found].map(Number);
}

/** The processes whose environment holds `NAME=value` exactly, and all their descendants
 * (Postgres overwrites its processes' environment with their titles, so it is found as a child). */
export const treeWithEnv = (marker: string) => withDescendants(processIds().filter((pid) => environHas(pid, marker)));

/** This process and everything it started: both servers, their Postgres, every fleet process. */
export const benchTree = () => withDescendants([String(process.pid)]);

/** Busy and total jiffies of the whole machine (all cores), from the first line of /proc/stat. */
function machineJiffies(): { busy: number; total: number } {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    // idle and iowait are the idle ones.
    return { busy: total - fields[3] - (fields[4] ?? 0), total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** CPU over a number of start()–stop() spans (the server's measured slices), added up. */
class SpanMeter {
  private readonly read: () => { used: number; of: number };
  private used = 0;
  private of = 0;
  private at: { used: number; of: number } | undefined;

  constructor(read: () => { used: number; of: number }) {
    this.read = read;
  }

  start(): void {
    this.at = this.read();
  }

  stop(): void {
    if (!this.at) return;
    const now = this.read();
    this.used += now.used - this.at.used;
    this.of += now.of - this.at.of;
    this.at = undefined;
  }

  share(): number {
    return this.of > 0 ? this.used / this.of : Number.NaN;
  }
}

/** Cores a set of processes used (1 = one core busy all along); they are found anew at each
 * reading, as Postgres backends come and go; CPU of processes that exited meanwhile is lost. */
export const processMeter = (find: () => number[]) =>
  new SpanMeter(() => ({ used: find().reduce((sum, pid) => sum + cpuMsOf(pid), 0), of: performance.now() }));

/** The machine's busy share (0–1 of all cores): when it is far above what the server and the fleet
 * used, something else on the machine was competing (or the kernel was busy with the loopback). */
export const machineMeter = () => new SpanMeter(() => {
  const { busy, total } = machineJiffies();
  return { used: busy, of: total };
});
