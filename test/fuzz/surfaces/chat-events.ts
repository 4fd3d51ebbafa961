// socket.io events on /chat and /live-videos: hostile event names and payloads (wrong types, huge
// strings, deep objects, binary, extra arguments, missing acks), join/send/moderation on the
// neighbour live (anonymous) and on the fuzz user's spare live (as its owner). Crashes: an ack
// carrying an internal error, a known event left unanswered on a connected socket, or a fresh
// well-formed join that fails (checked every CHECK_EVERY inputs and at the end).
import { io, type Socket } from 'socket.io-client';
import type { FuzzContext, FuzzResult, FuzzSurface } from '../surface.ts';
import { Rng } from '../rng.ts';
import { crashNoter, fuzzIds, type FuzzIds } from '../http-client.ts';

const ACK_TIMEOUT_MS = 10_000;
const CHECK_EVERY = 250;
/** The namespace allows 40 events per 10 s per socket: a socket is replaced before it is throttled much. */
const EVENTS_PER_SOCKET = 30;
const CHAT_EVENTS = ['join', 'leave', 'send', 'delete', 'moderate', 'settings'];
const REALTIME_EVENTS = ['subscribe', 'unsubscribe'];
/** Events whose handler answers an ack (unsubscribe answers nothing). */
const ACKED_EVENTS = ['join', 'leave', 'send', 'delete', 'moderate', 'settings', 'subscribe'];
/** What the namespaces answer when a handler threw (chat/namespace.ts, api/live/realtime.ts). */
const INTERNAL_CHAT = 'The server could not do that; try again';

type Value = unknown;

function hostileValue(rng: Rng, depth = 0): Value {
  switch (rng.int(0, 15)) {
    case 0: return null;
    case 1: return rng.pick([true, false, 0, -1, 1.5, 2 ** 53 + 1, -(2 ** 31), 1e308, Number.NaN]);
    case 2: return rng.pick(['', ' ', '\0', '\u202e', '\ud800', '__proto__', 'NaN', '-1', '1e3', '<b>x</b>', rng.chance(0.9) ? 'x'.repeat(rng.int(100, 5000)) : 'x'.repeat(rng.int(60_000, 70_000))]);
    case 3: return rng.bytes(rng.int(0, 2048));
    case 4: return depth > 3 ? [] : Array.from({ length: rng.int(0, 5) }, () => hostileValue(rng, depth + 1));
    case 5: {
      let nested: Value = 1;
      for (let i = rng.int(10, 3000); i > 0; i--) nested = rng.chance(0.5) ? [nested] : { a: nested };
      return nested;
    }
    case 6: return JSON.parse('{"__proto__":{"ok":true},"constructor":{"prototype":{"x":1}}}');
    default: return depth > 3 ? 'x' : objectOf(rng, depth + 1);
  }
}

function objectOf(rng: Rng, depth: number): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (let i = rng.int(0, 4); i > 0; i--) {
    const key = rng.pick(['videoId', 'roomId', 'text', 'messageId', 'action', 'account', 'durationSeconds', 'reason', 'password',
      'mode', 'slowModeSeconds', 'forbiddenWords', 'enabled', 'toString', 'valueOf', 'x'.repeat(rng.int(1, 300))]);
    out[key] = hostileValue(rng, depth);
  }
  return out;
}

/** A payload close to a real one, damaged here and there. */
function payloadOf(rng: Rng, event: string, rooms: { live: FuzzIds; roomIds: number[] }): Value {
  const roomId = rng.chance(0.8) && rooms.roomIds.length ? rng.pick(rooms.roomIds) : hostileValue(rng);
  const bases: Record<string, Record<string, Value>> = {
    join: { videoId: rng.chance(0.8) ? rng.pick([rooms.live.liveId, rooms.live.spareId, rooms.live.spareUuid]) : hostileValue(rng) },
    leave: { roomId },
    send: { roomId, text: rng.chance(0.7) ? rng.pick(['hello', 'x'.repeat(rng.int(1, 2000)), '\u0000\u202e', '<script>1</script>', 'http://a.b']) : hostileValue(rng) },
    delete: { roomId, messageId: rng.chance(0.5) ? rng.int(-1, 50) : hostileValue(rng) },
    moderate: { roomId, action: rng.pick(['timeout', 'ban', 'unban', 'clear', 'x', '']), messageId: rng.int(-1, 50), account: rng.pick(['root', 'nobody', '']), durationSeconds: rng.pick([1, -1, 0, 1e12, 'x']), reason: 'r' },
    settings: { roomId, mode: rng.pick(['open', 'registered', 'followers', 'x']), slowModeSeconds: rng.pick([0, 5, -1, 1e9, 'x']), forbiddenWords: rng.chance(0.5) ? ['a'] : hostileValue(rng) },
    subscribe: { videoId: rng.chance(0.8) ? rng.pick([rooms.live.liveId, rooms.live.spareId]) : hostileValue(rng), password: rng.chance(0.2) ? hostileValue(rng) : undefined },
    unsubscribe: { videoId: rng.chance(0.8) ? rooms.live.liveId : hostileValue(rng) },
  };
  const base = bases[event] as Record<string, Value> | undefined;
  if (!base || rng.chance(0.2)) return hostileValue(rng);
  for (const key of Object.keys(base)) if (rng.chance(0.15)) base[key] = hostileValue(rng);
  return base;
}

interface Lane { socket: Socket; namespace: '/chat' | '/live-videos'; owner: boolean; used: number }

function connect(baseUrl: string, namespace: string, auth: Record<string, unknown>): Promise<Socket | undefined> {
  const socket = io(`${baseUrl}${namespace}`, { transports: ['websocket'], auth, reconnection: false, timeout: ACK_TIMEOUT_MS, forceNew: true });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', () => { socket.close(); resolve(undefined); });
  });
}

/** A well-formed anonymous join on the neighbour live: what a new viewer does. */
async function freshJoinWorks(baseUrl: string, liveId: number): Promise<string | undefined> {
  const socket = await connect(baseUrl, '/chat', { anonId: `fuzz-check-${Date.now()}` });
  if (!socket) return 'a fresh /chat connection was refused';
  try {
    const ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('join', { videoId: liveId }) as { ok: boolean; error?: unknown };
    return ack.ok ? undefined : `a fresh join was refused: ${JSON.stringify(ack.error)}`;
  } catch (error) {
    return `a fresh join got no answer: ${(error as Error).message}`;
  } finally {
    socket.close();
  }
}

async function run(context: FuzzContext): Promise<FuzzResult> {
  const { target, rng } = context;
  const ids = await fuzzIds(target);
  const noteCrash = crashNoter(context);
  const seed = rng.int(0, 2 ** 31);
  const roomIds: number[] = [];
  const lanes = new Map<string, Lane>();
  let crashes = 0;
  let tried = 0;

  const laneFor = async (input: Rng): Promise<Lane | undefined> => {
    const namespace = input.chance(0.85) ? '/chat' : '/live-videos';
    const owner = input.chance(0.4);
    const key = `${namespace}|${owner}`;
    let lane = lanes.get(key);
    if (!lane || lane.used >= EVENTS_PER_SOCKET || lane.socket.disconnected) {
      lane?.socket.close();
      const auth: Record<string, unknown> = owner ? { token: target.accessToken } : { anonId: `fuzz-${input.int(0, 1e9)}` };
      // Now and then a hostile handshake: it must be refused cleanly, not crash anything.
      if (input.chance(0.05)) await connect(target.baseUrl, namespace, { token: hostileValue(input), anonId: hostileValue(input) }).then((socket) => socket?.close());
      const socket = await connect(target.baseUrl, namespace, auth);
      if (!socket) { lanes.delete(key); return undefined; }
      lane = { socket, namespace, owner, used: 0 };
      lanes.set(key, lane);
      if (namespace === '/chat') {
        // Each chat socket starts in a room: the neighbour's for viewers, the spare's for its owner.
        const ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('join', { videoId: owner ? ids.spareId : ids.liveId }).catch(() => undefined) as any;
        if (ack?.ok && !roomIds.includes(ack.room.id)) roomIds.push(ack.room.id);
        lane.used++;
      }
    }
    return lane;
  };

  const one = async (index: number): Promise<boolean> => {
    const input = new Rng(seed + index);
    const lane = await laneFor(input);
    if (!lane) { noteCrash('connect', `input ${index}: a well-formed ${'connection'} was refused`); return true; }
    lane.used++;
    const known = lane.namespace === '/chat' ? CHAT_EVENTS : REALTIME_EVENTS;
    const event = input.chance(0.85) ? input.pick(known) : input.pick(['', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'x'.repeat(input.int(1, 5000)), 'join ', 'JOIN', 'message', 'error', 'ping']);
    const args: Value[] = [payloadOf(input, event, { live: ids, roomIds })];
    if (input.chance(0.1)) args.push(hostileValue(input), hostileValue(input));
    // Without an ack now and then (the server must not wait for one), and always where nothing answers: unknown
    // events, unsubscribe, and extra arguments (the handlers take the ack as the second argument).
    if (!ACKED_EVENTS.includes(event) || !known.includes(event) || args.length > 1 || input.chance(0.2)) {
      lane.socket.emit(event, ...args);
      return false;
    }
    try {
      let onClose = () => {};
      const closed = new Promise((_, reject) => { onClose = () => reject(new Error('disconnected')); lane.socket.once('disconnect', onClose); });
      const ack = await Promise.race([lane.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, ...args), closed])
        .finally(() => lane.socket.off('disconnect', onClose)) as any;
      const internal = ack?.error?.message === INTERNAL_CHAT || ack?.error === 'unavailable';
      if (internal) { noteCrash('internal error', `input ${index}: ${lane.namespace} ${event} ${JSON.stringify(args).slice(0, 300)} -> ${JSON.stringify(ack)}`); return true; }
    } catch {
      // An oversized payload closes the socket (maxHttpBufferSize): no answer is expected then.
      if (lane.socket.connected) {
        noteCrash('no ack', `input ${index}: ${lane.namespace} ${event} ${JSON.stringify(args).slice(0, 300)}`);
        return true;
      }
    }
    return false;
  };

  const check = async (index: number) => {
    const problem = await freshJoinWorks(target.baseUrl, ids.liveId);
    if (problem) { crashes++; noteCrash('fresh join', `after input ${index}: ${problem}`); }
  };

  try {
    for (let index = 0; index < context.count; index++) {
      if (await one(index)) crashes++;
      tried++;
      if ((index + 1) % CHECK_EVERY === 0) await check(index);
    }
    await check(context.count);
  } finally {
    for (const lane of lanes.values()) lane.socket.close();
  }
  return { tried, crashes };
}

const surface: FuzzSurface = { name: 'chat-events', kind: 'network', run };
export default surface;
