// The client fleet, seen from the bench: a few child processes (fleet-worker.ts) holding the
// clients between them, so that the fleet can use more than one core and one busy event loop
// does not hold up every receiver. Client i lives in process i mod P; clients 0..S-1 also send.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { now } from './probe.ts';
import type { Connected, FromWorker, Samples, Sent, Target, ToWorker } from './protocol.ts';

export interface FleetSettings { processes: number; clients: number; senders: number; concurrency: number; joinTimeoutMs: number }

export interface StormTotals { joined: number; failed: number; firstError?: string; wallMs: number; joinMs: Float64Array[] }

const WORKER = join(import.meta.dirname, 'fleet-worker.ts');

function ask<T extends FromWorker>(worker: ChildProcess, command: ToWorker, answer: T['type'], timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error, message?: T) => {
      clearTimeout(timer);
      worker.off('message', onMessage).off('exit', onExit);
      if (error) reject(error); else resolve(message!);
    };
    const onMessage = (message: FromWorker) => {
      if (message.type === answer) done(undefined, message as T);
      else if (message.type === 'failed') done(new Error(`fleet process failed: ${message.message}`));
    };
    const onExit = (code: number | null, signal: string | null) => done(new Error(`fleet process exited (${signal ?? code}) during ${command.type}`));
    const timer = setTimeout(() => done(new Error(`fleet process: no answer to ${command.type} within ${timeoutMs} ms`)), timeoutMs);
    worker.on('message', onMessage).on('exit', onExit);
    worker.send(command);
  });
}

export class Fleet {
  private readonly workers: ChildProcess[];
  private readonly settings: FleetSettings;

  constructor(settings: FleetSettings) {
    this.settings = settings;
    this.workers = Array.from({ length: settings.processes }, () =>
      fork(WORKER, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  /** The indices process `worker` holds among the first `count` clients. */
  private share(worker: number, count: number): number[] {
    const indices: number[] = [];
    for (let index = worker; index < count; index += this.workers.length) indices.push(index);
    return indices;
  }

  /** Every process connects and joins its clients at once: the storm's wall time is the bench's. */
  async connect(target: Target): Promise<StormTotals> {
    const { clients, concurrency, joinTimeoutMs } = this.settings;
    const started = now();
    const answers = await Promise.all(this.workers.map((worker, index) => ask<Connected>(worker,
      { type: 'connect', target, clients: this.share(index, clients), concurrency, timeoutMs: joinTimeoutMs },
      'connected', joinTimeoutMs * Math.ceil(clients / concurrency) + 60_000)));
    return {
      wallMs: now() - started,
      joined: answers.reduce((sum, answer) => sum + answer.joined, 0),
      failed: answers.reduce((sum, answer) => sum + answer.failed, 0),
      firstError: answers.find((answer) => answer.firstError)?.firstError,
      joinMs: answers.map((answer) => answer.joinMs),
    };
  }

  /** Runs the timetable: `rate` messages a second in all, warm-up first; resolves when every ack is in,
   * with each process's report and when (on now()'s clock) the measured messages were due. */
  async send(rate: number, warmupMs: number, measureMs: number): Promise<{ from: number; to: number; parts: Sent[] }> {
    const { senders } = this.settings;
    // A common start a little ahead, so that every process begins the timetable together.
    const startAt = now() + 500;
    const parts = await Promise.all(this.workers.map((worker, index) => {
      const mine = this.share(index, senders);
      return ask<Sent>(worker, { type: 'send', senders: mine, ratePerSecond: (rate * mine.length) / senders, startAt, warmupMs, measureMs },
        'sent', warmupMs + measureMs + 60_000);
    }));
    return { from: startAt + warmupMs, to: startAt + warmupMs + measureMs, parts };
  }

  collect(): Promise<Samples[]> {
    return Promise.all(this.workers.map((worker) => ask<Samples>(worker, { type: 'collect' }, 'samples', 60_000)));
  }

  /** Disconnects every client and ends the processes; bounded, and safe to call twice. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map(async (worker) => {
      if (worker.exitCode !== null || worker.signalCode !== null || !worker.connected) return;
      await ask(worker, { type: 'close' }, 'closed', 15_000).catch(() => worker.kill('SIGKILL'));
    }));
  }
}
