// The sending side of the fleet: this process's share of the message rate, spread round-robin
// over its senders so that each one stays under the server's anti-flood limit. Sends follow a
// fixed timetable (not "sleep, then send"), so that a late send does not push back the rest.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Viewer } from './join-storm.ts';
import { now, probeText, type Phase } from './probe.ts';
import type { Sent } from './protocol.ts';
import { SampleBuffer } from './samples.ts';

export interface SendPlan {
  senders: Viewer[];
  ratePerSecond: number;
  /** When the first (warm-up) message goes out, on now()'s clock. */
  startAt: number;
  warmupMs: number;
  measureMs: number;
  ackTimeoutMs: number;
}

interface SendAck { ok: boolean; error?: { code: string } }

/** The delay monitor's timer period: its samples are period + delay, so the period is taken off. */
const LOOP_RESOLUTION_MS = 10;

const sleepUntil = (time: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, time - now())));

export async function runSenders(plan: SendPlan): Promise<Sent> {
  const interval = 1000 / plan.ratePerSecond;
  const total = plan.senders.length ? Math.floor(((plan.warmupMs + plan.measureMs) / 1000) * plan.ratePerSecond) : 0;
  const measureFrom = plan.startAt + plan.warmupMs;
  const measureTo = measureFrom + plan.measureMs;
  const result: Sent = {
    type: 'sent', accepted: 0, refused: {}, ackMs: new Float64Array(0), loopDelayP99Ms: 0, loopDelayMaxMs: 0, cpuMs: 0, wallMs: 0,
  };
  await sleepUntil(plan.startAt);
  const cpuAtStart = process.cpuUsage();
  const startedAt = now();
  const ackMs = new SampleBuffer();
  const refuse = (code: string) => { result.refused[code] = (result.refused[code] ?? 0) + 1; };
  // Watched from the start of the measured window, in step with the timetable.
  const delay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  void sleepUntil(measureFrom).then(() => delay.enable());
  const acks: Array<Promise<void>> = [];
  for (let seq = 0; seq < total; seq++) {
    const due = plan.startAt + seq * interval;
    await sleepUntil(due);
    const phase: Phase = due < measureFrom ? 'w' : 'm';
    const sender = plan.senders[seq % plan.senders.length];
    if (!sender.client.isOpen) { if (phase === 'm') refuse('sender_disconnected'); continue; }
    const sentAt = now();
    const ack = sender.client.request('send', { roomId: sender.roomId, text: probeText(phase, sender.index, seq, sentAt) }, plan.ackTimeoutMs);
    if (phase === 'w') { acks.push(ack.then(() => undefined, () => undefined)); continue; }
    acks.push(ack.then((answer) => {
      const { ok, error } = answer as SendAck;
      if (ok) { result.accepted++; ackMs.push(now() - sentAt); } else refuse(error?.code ?? 'refused');
    }, () => refuse('no_ack')));
  }
  await sleepUntil(measureTo);
  delay.disable();
  await Promise.all(acks);
  const cpu = process.cpuUsage(cpuAtStart);
  result.cpuMs = (cpu.user + cpu.system) / 1000;
  result.wallMs = now() - startedAt;
  result.ackMs = ackMs.values();
  result.loopDelayP99Ms = Math.max(0, delay.percentile(99) / 1e6 - LOOP_RESOLUTION_MS);
  result.loopDelayMaxMs = Math.max(0, delay.max / 1e6 - LOOP_RESOLUTION_MS);
  return result;
}
