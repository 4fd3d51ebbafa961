// What the HTTP surfaces share: a raw request over a TCP socket (any bytes, no client-side
// validation), a bounded fetch, and the neighbour's ids and a sacrificial live of the fuzz user.
import { connect } from 'node:net';
import type { FuzzContext, FuzzTarget } from './surface.ts';

export interface RawAnswer {
  /** The status of the first response line, or undefined when the server closed without one. */
  status: number | undefined;
  /** The server neither answered nor closed within the time allowed. */
  hung: boolean;
  /** The first bytes of the answer, for notes. */
  head: string;
}

/**
 * Sends `bytes` as they are and waits for the first status line. A request the server is still
 * reading (a body shorter than announced) gets a half-close after `framingMs`: the server must
 * then answer or close. Not half-closing at once matters: Node's server drops a request whose
 * client has ended, so an async route's answer (a 500 included) would never be seen.
 */
export function rawRequest(baseUrl: string, bytes: Buffer, timeoutMs: number, framingMs = 2000): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let received = Buffer.alloc(0);
    let settled = false;
    const head = (length: number) => received.subarray(0, length).toString('latin1');
    const finish = (answer: RawAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(framing);
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const statusOf = () => /^HTTP\/1\.[01] (\d{3})/.exec(received.toString('latin1'))?.[1];
    const framing = setTimeout(() => socket.end(), framingMs);
    const timer = setTimeout(() => finish({ status: undefined, hung: true, head: head(120) }), timeoutMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]).subarray(0, 4096);
      const status = statusOf();
      if (status) finish({ status: Number(status), hung: false, head: head(200) });
    });
    socket.on('error', () => finish({ status: undefined, hung: false, head: '' }));
    socket.on('close', () => {
      const status = statusOf();
      finish({ status: status ? Number(status) : undefined, hung: false, head: head(200) });
    });
  });
}

export interface FetchAnswer { status: number | undefined; hung: boolean; body: string }

/** fetch with a deadline: undefined status and hung=true when the server did not answer in time. */
export async function boundedFetch(url: string, init: RequestInit, timeoutMs: number): Promise<FetchAnswer> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    return { status: response.status, hung: false, body: body.slice(0, 300) };
  } catch (error) {
    const name = (error as Error).name;
    return { status: undefined, hung: name === 'TimeoutError' || name === 'AbortError', body: String((error as Error).message) };
  }
}

export interface FuzzIds {
  /** The neighbour live's numeric id (the target gives its uuid). */
  liveId: number;
  /** A live of the fuzz user that is not on air: hostile updates go there, never to the neighbour. */
  spareId: number;
  spareUuid: string;
  channelId: number;
}

/** Reads the neighbour's id and creates (once per target) a spare live for the writes. */
const idsByTarget = new WeakMap<FuzzTarget, Promise<FuzzIds>>();
export function fuzzIds(target: FuzzTarget): Promise<FuzzIds> {
  let ids = idsByTarget.get(target);
  if (!ids) {
    ids = loadIds(target);
    idsByTarget.set(target, ids);
  }
  return ids;
}

async function loadIds(target: FuzzTarget): Promise<FuzzIds> {
  const headers = { authorization: `Bearer ${target.accessToken}`, 'content-type': 'application/json' };
  const json = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${target.baseUrl}${path}`, { headers, ...init });
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<any>;
  };
  const live = await json(`/api/v1/videos/${target.liveVideoUuid}`);
  const me = await json('/api/v1/users/me');
  const channelId = me.videoChannels[0].id as number;
  const spare = await json('/api/v1/videos/live', { method: 'POST', body: JSON.stringify({ channelId, name: 'fuzz spare live', privacy: 1 }) });
  return { liveId: live.id, spareId: spare.video.id, spareUuid: spare.video.uuid, channelId };
}

/** Runs `count` inputs, `concurrency` at a time; `one(index)` returns true when the input crashed. */
export async function runPool(count: number, concurrency: number, one: (index: number) => Promise<boolean>): Promise<{ tried: number; crashes: number }> {
  let next = 0;
  let crashes = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      if (await one(index)) crashes++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  return { tried: count, crashes };
}

/** Notes the first few crashes of each kind in full, then only counts them. */
export function crashNoter(context: FuzzContext, perKind = 3): (kind: string, detail: string) => void {
  const seen = new Map<string, number>();
  return (kind, detail) => {
    const times = (seen.get(kind) ?? 0) + 1;
    seen.set(kind, times);
    if (times <= perKind) context.note(`${kind}: ${detail.slice(0, 400)}`);
  };
}
