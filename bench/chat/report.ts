// The bench's output: a row per server, the storms and refusals, the ratios ours / baseline and
// the target.
import type { BenchSettings, Result } from './measure.ts';

const TARGET_P99_MS = 250;

const ms = (value: number) => Number.isFinite(value) ? `${value.toFixed(value < 10 ? 1 : 0)} ms` : '-';
const percent = (share: number) => Number.isFinite(share) ? `${(share * 100).toFixed(0)}%` : '-';
const pad = (cells: string[], widths: number[]) => cells.map((cell, i) => i === 0 ? cell.padEnd(widths[0]) : cell.padStart(widths[i])).join('');

export function printHeader(settings: BenchSettings): void {
  const slices = Math.max(1, Math.round(settings.measureMs / settings.sliceMs));
  console.log(`chat bench: ${settings.clients} clients in one room, ${settings.rate} messages/s in from ${settings.senders} senders, ` +
    `${settings.warmupMs / 1000} s warm-up + ${settings.measureMs / 1000} s measured per server in ${slices} alternating slices, ` +
    `${settings.processes} fleet processes per server, loopback`);
  console.log('latency: arrival at a client − send time in the sender\'s text, for every measured message at every other client');
  console.log('CPU during the server\'s slices: server and fleet in % of one core (server: all its processes, Postgres too); ' +
    'machine: % of all cores busy, anyone\'s\n');
}

export function printRows(results: Result[]): void {
  const widths = [26, 9, 9, 9, 9, 20, 9, 8, 8, 9, 8];
  console.log(pad(['server', 'p50', 'p95', 'p99', 'max', 'delivered/expected', 'ack p50', 'server', 'fleet', 'machine', 'joins'], widths));
  for (const r of results) {
    console.log(pad([r.name, ms(r.latency.p50), ms(r.latency.p95), ms(r.latency.p99), ms(r.latency.max),
      `${r.delivered}/${r.expected}`, ms(r.ack.p50), percent(r.serverCores), percent(r.fleetCores), percent(r.machineBusy),
      `${(r.joinWallMs / 1000).toFixed(1)} s`], widths));
  }
  console.log('');
  for (const r of results) {
    const refused = Object.entries(r.refused).map(([code, count]) => `${code} ${count}`).join(', ') || 'none';
    console.log(`${r.name}: join storm ${r.joined}/${r.joined + r.joinFailed} in ${(r.joinWallMs / 1000).toFixed(1)} s ` +
      `(connect + join per client p50 ${ms(r.join.p50)}, p99 ${ms(r.join.p99)})${r.joinError ? `, first failure: ${r.joinError}` : ''}; ` +
      `${r.accepted} messages accepted (ack p99 ${ms(r.ack.p99)}), refused: ${refused}; missing deliveries ${r.expected - r.delivered}; ` +
      `${r.stillOpen} clients still connected; fleet event-loop delay p99 ${ms(r.fleetLoopDelayP99Ms)}`);
  }
  console.log('\nper slice, in order: p99 (cores the neighbours used meanwhile: processes outside this bench)');
  for (const r of results) {
    console.log(`${r.name.padEnd(26)}${r.slices.map((slice) => `${ms(slice.latency.p99)} (${slice.neighbours.toFixed(2)})`).join('   ')}`);
  }
}

const verdict = (p99: number, complete: boolean) => p99 <= TARGET_P99_MS && complete ? 'PASS' : 'ABOVE';

export function printVerdict(results: Result[]): void {
  const base = results.find((r) => r.name.startsWith('baseline'));
  const ours = results.find((r) => r.name.startsWith('ours'));
  console.log('');
  if (base && ours) {
    const ratio = (a: number, b: number) => (a / b).toFixed(2);
    console.log(`ratio ours / baseline: p50 ${ratio(ours.latency.p50, base.latency.p50)}, p99 ${ratio(ours.latency.p99, base.latency.p99)}; ` +
      `quieter half of the slices: p50 ${ratio(ours.quiet.p50, base.quiet.p50)}, p99 ${ratio(ours.quiet.p99, base.quiet.p99)}; ` +
      `join storm ${ratio(ours.joinWallMs, base.joinWallMs)}`);
  }
  for (const r of results) {
    const complete = r.expected > 0 && r.delivered >= r.expected;
    console.log(`${r.name}: p99 ${ms(r.latency.p99)}, quieter half ${ms(r.quiet.p99)} (p50 ${ms(r.quiet.p50)}): target <= ${TARGET_P99_MS} ms: ` +
      `${verdict(r.latency.p99, complete)}, quieter half ${verdict(r.quiet.p99, complete)}` +
      (r.expected === 0 ? ' (no message was accepted)' : complete ? '' : ` (${r.expected - r.delivered} deliveries missing)`));
  }
}
