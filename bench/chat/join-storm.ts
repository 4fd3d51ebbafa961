// Connects and joins the fleet's clients, a bounded number at a time: a real crowd arrives over
// seconds, and an unbounded burst would mostly measure the kernel's accept queue.
import { LeanClient } from './lean-client.ts';
import { now } from './probe.ts';
import type { Target } from './protocol.ts';
import { SampleBuffer } from './samples.ts';

export interface Viewer { index: number; client: LeanClient; roomId: number }

export interface StormResult { viewers: Viewer[]; failed: number; firstError?: string; joinMs: Float64Array }

/** Anonymous identities (16–64 of [A-Za-z0-9_-]), distinct per client: anti-flood is per identity. */
const anonIdOf = (index: number) => `bench-viewer-${String(index).padStart(6, '0')}`;

interface JoinAck { ok: boolean; room?: { id: number }; error?: { code: string; message: string } }

async function joinOne(target: Target, index: number, timeoutMs: number, onEvent: (frame: Buffer) => void): Promise<Viewer> {
  const client = await LeanClient.connect({
    baseUrl: target.baseUrl, namespace: target.namespace, auth: { anonId: anonIdOf(index) }, timeoutMs, onEvent,
  });
  const ack = await client.request('join', target.join, timeoutMs).catch((error: Error) => {
    client.close();
    throw error;
  }) as JoinAck;
  if (!ack.ok || !ack.room) {
    client.close();
    throw new Error(`join refused: ${ack.error?.code ?? 'no room'} ${ack.error?.message ?? ''}`);
  }
  return { index, client, roomId: ack.room.id };
}

export async function joinAll(target: Target, indices: number[], concurrency: number, timeoutMs: number,
  handlerFor: (index: number) => (frame: Buffer) => void): Promise<StormResult> {
  const result: StormResult = { viewers: [], failed: 0, joinMs: new Float64Array(0) };
  const joinMs = new SampleBuffer();
  let next = 0;
  const lane = async () => {
    while (next < indices.length) {
      const index = indices[next++];
      const started = now();
      try {
        result.viewers.push(await joinOne(target, index, timeoutMs, handlerFor(index)));
        joinMs.push(now() - started);
      } catch (error) {
        result.failed++;
        result.firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, indices.length) }, lane));
  result.joinMs = joinMs.values();
  return result;
}
