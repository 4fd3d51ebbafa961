// npm run bench:chat
//
// N clients in one chat room, M messages a second in: delivery latency (p50/p95/p99/max) through
// our server's /chat namespace against a bare socket.io broadcast server measured in the same run
// with the same client fleet. Target: p99 <= 250 ms for 2,000 clients and 20 messages/s.
//
// How: a fleet of lean socket.io clients (bench/chat/lean-client.ts: the wire format over `ws`) in
// a few child processes joins the room, a bounded number at a time (the join storm is timed).
// Clients 0..S-1 also send, round-robin, each message carrying its send time in its text; every
// other client notes arrival − send time. After a warm-up, BENCH_SECONDS are measured; then a short
// drain, and deliveries still missing are counted (due: every accepted message at every other client).
// Both servers run for the whole bench, each with its own fleet, and the measured time alternates
// between them in slices (bench/chat/measure.ts), so that a busy moment on the shared 2-core machine
// falls on both alike.
//
// Settings: BENCH_CLIENTS (2000), BENCH_RATE (messages/s in, 20), BENCH_SECONDS (measured, 20),
// BENCH_WARMUP_SECONDS (5), BENCH_SLICE_SECONDS (5), BENCH_SENDERS (40: 0.5 message/s each, under the
// default anti-flood of 5 per 5 s), BENCH_FLEET_PROCESSES (2), BENCH_JOIN_CONCURRENCY (joins in flight
// per fleet process, 50), BENCH_ONLY (baseline | ours), BENCH_TIMELINE (1: latency by send second),
// BENCH_SERVER_NODE_OPTIONS (NODE_OPTIONS for our server only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p").
// Our server reads its config as usual: config.yaml and environment variables (CHAT_*) apply.
//
// Exits 0 whatever the figures (it is a benchmark); non-zero only when the bench itself broke.
import { startBaseline, type RunningServer } from './chat/baseline.ts';
import { measure, type BenchSettings } from './chat/measure.ts';
import { startOurs } from './chat/ours.ts';
import { printHeader, printRows, printVerdict } from './chat/report.ts';
import { positiveInteger } from './env.ts';

function readSettings(): BenchSettings {
  const clients = positiveInteger('BENCH_CLIENTS', 2000);
  return {
    clients,
    senders: Math.min(clients, positiveInteger('BENCH_SENDERS', 40)),
    rate: positiveInteger('BENCH_RATE', 20),
    measureMs: positiveInteger('BENCH_SECONDS', 20) * 1000,
    warmupMs: positiveInteger('BENCH_WARMUP_SECONDS', 5) * 1000,
    sliceMs: positiveInteger('BENCH_SLICE_SECONDS', 5) * 1000,
    processes: positiveInteger('BENCH_FLEET_PROCESSES', 2),
    concurrency: positiveInteger('BENCH_JOIN_CONCURRENCY', 50),
    joinTimeoutMs: 30_000,
  };
}

const STARTERS: Record<string, () => Promise<RunningServer>> = {
  baseline: startBaseline,
  ours: () => startOurs(process.env.BENCH_SERVER_NODE_OPTIONS),
};

function serversToRun(): string[] {
  const only = process.env.BENCH_ONLY;
  if (!only) return Object.keys(STARTERS);
  if (!(only in STARTERS)) throw new Error(`BENCH_ONLY must be one of ${Object.keys(STARTERS).join(', ')}, got "${only}"`);
  return [only];
}

const running: RunningServer[] = [];

async function stopAll(): Promise<void> {
  await Promise.all(running.splice(0).map((server) => server.stop().catch((error: Error) => console.error(`warning: ${error.message}`))));
}

async function main(): Promise<void> {
  const settings = readSettings();
  printHeader(settings);
  for (const name of serversToRun()) running.push(await STARTERS[name]());
  const results = await measure([...running], settings);
  await stopAll();
  printRows(results);
  printVerdict(results);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping`);
    // The fleet processes exit by themselves when this process goes (their IPC channel closes).
    void stopAll().finally(() => process.exit(130));
  });
}

try {
  await main();
  process.exit(0);
} catch (error) {
  console.error(`bench:chat failed: ${(error as Error).stack ?? String(error)}`);
  await stopAll();
  process.exit(1);
}
