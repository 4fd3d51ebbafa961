// RTMP, as an attacker on the open port sends it (node-media-server behind ingest/rtmp/guard.ts):
// - rtmp-handshake: garbage, and mutated C0/C1/C2;
// - rtmp-chunks: after a real handshake, AMF0 and AMF3 commands with hostile fields (connect,
//   createStream, publish, play...), set chunk size from 0 to 2^32-1, many chunk stream ids, FLV
//   audio/video/metadata as RTMP messages, extended timestamps; then sometimes the whole stream mutated.
// The server must stay up (the runner checks), and every 100 inputs a fresh client must still
// complete a handshake (a listener that stopped answering is a crash).
import { connect } from 'node:net';
import type { FuzzContext, FuzzResult, FuzzSurface } from '../surface.ts';
import type { Rng } from '../rng.ts';
import { crashNoter, runPool } from '../http-client.ts';
import { HANDSHAKE_SIZE, RawRtmpClient, amf0, amf0Command, basicHeader, chunkMessage, clientHello, type Amf0Value } from '../../helpers/raw-rtmp.ts';

const CONCURRENCY = 4;
/** How long an input's connection stays open for the server to read and answer it. */
const LINGER_MS = 60;
const PROBE_EVERY = 100;

async function sendAndLinger(port: number, pieces: Buffer[]): Promise<void> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => { socket.once('connect', () => resolve()); socket.once('error', () => resolve()); });
  for (const piece of pieces) if (!socket.destroyed) socket.write(piece);
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, LINGER_MS))]);
  socket.destroy();
}

/**
 * A fresh, well-behaved client must still get S0S1S2: the listener is alive and not wedged. Three
 * tries of 5 s: on a loaded machine one slow answer is not a dead listener.
 */
async function probe(port: number): Promise<string | undefined> {
  let problem: string | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const client = await RawRtmpClient.open(port, 5000);
      try {
        await client.handshake(5000);
      } finally {
        client.close();
      }
      return undefined;
    } catch (error) {
      problem = (error as Error).message;
    }
  }
  return problem;
}

async function runRtmp(context: FuzzContext, makeInput: (rng: Rng) => Buffer[], withHandshake: boolean): Promise<FuzzResult> {
  const { rng, target } = context;
  const noteCrash = crashNoter(context);
  return runPool(context.count, CONCURRENCY, async (index) => {
    const pieces = makeInput(rng); // before any await: input i is the same whatever the timing
    if (withHandshake) {
      try {
        const client = await RawRtmpClient.open(target.rtmpPort, 3000);
        await client.handshake(3000);
        for (const piece of pieces) client.send(piece);
        await client.closedWithin(LINGER_MS);
        client.close();
      } catch (error) {
        const problem = await probe(target.rtmpPort);
        if (problem) { noteCrash('rtmp listener', `input #${index}: ${(error as Error).message}; probe: ${problem}`); return true; }
      }
    } else {
      await sendAndLinger(target.rtmpPort, pieces);
    }
    if (index % PROBE_EVERY === PROBE_EVERY - 1) {
      const problem = await probe(target.rtmpPort);
      if (problem) { noteCrash('rtmp listener', `after input #${index}: ${problem}`); return true; }
    }
    return false;
  });
}

/** Splits bytes the way TCP may deliver them. */
function split(rng: Rng, bytes: Buffer): Buffer[] {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const size = rng.chance(0.5) ? bytes.length - offset : rng.int(1, 1600);
    pieces.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return pieces;
}

export function handshakeInput(rng: Rng): Buffer[] {
  const hello = clientHello();
  const c2 = rng.bytes(HANDSHAKE_SIZE);
  switch (rng.int(0, 4)) {
    case 0: return split(rng, rng.bytes(rng.int(0, 4000)));
    case 1: return split(rng, rng.mutate(hello, rng.int(1, 12)));
    case 2: return split(rng, rng.mutate(Buffer.concat([hello, c2]), rng.int(1, 12)));
    case 3: return split(rng, Buffer.concat([Buffer.from([rng.int(0, 255)]), hello.subarray(1, rng.int(1, hello.length))]));
    default: return split(rng, Buffer.concat([hello, c2, rng.mutate(chunkMessage({ chunkStreamId: 3, type: 20, payload: amf0Command('connect', 1, { app: 'live' }) }))]));
  }
}

const HOSTILE_VALUES: Amf0Value[] = [undefined, null, 0, -1, 1e308, Number.NaN, true, '', 'live', 'x'.repeat(70000), '\u0000\uffff', '../../etc/passwd',
  'rtmp://', 'rtmp://[::1', 'rtmp://127.0.0.1:1935/live', {}, [], [1, 'a', null], { app: 'live' }, { __proto__: 'x', constructor: 1 } as Amf0Value];
const STREAM_NAMES: Amf0Value[] = [...HOSTILE_VALUES, '00000000-0000-4000-8000-000000000000', 'key?x=1&x=2', 'key?', '?', 'a'.repeat(600)];

function hostile(rng: Rng, usual: Amf0Value): Amf0Value {
  return rng.chance(0.5) ? usual : rng.pick(HOSTILE_VALUES);
}

/** FLV tag bodies a publisher sends as RTMP audio (8), video (9) and data (18) messages. */
const AVC_HEADER = Buffer.from('1700000000014d401effe1001967' + '4d401e9a6602802dd80b5010101400000300040000030148' + '01000468ee3c80', 'hex');
const AAC_HEADER = Buffer.from('af001210', 'hex');

function mediaMessage(rng: Rng, chunkStreamId: number): Buffer {
  const kind = rng.int(0, 4);
  if (kind === 0) return chunkMessage({ chunkStreamId, type: 9, streamId: 1, timestamp: rng.int(0, 0xffffff), payload: rng.chance(0.5) ? AVC_HEADER : rng.mutate(AVC_HEADER) });
  if (kind === 1) return chunkMessage({ chunkStreamId, type: 8, streamId: 1, payload: rng.chance(0.5) ? AAC_HEADER : rng.mutate(AAC_HEADER) });
  if (kind === 2) return chunkMessage({ chunkStreamId, type: 9, streamId: 1, payload: Buffer.concat([Buffer.from([rng.pick([0x17, 0x27, 0x1c, 0x9c, 0x80, 0xff]), 1, 0, 0, 0]), rng.bytes(rng.int(0, 600))]) });
  if (kind === 3) {
    const metadata = Buffer.concat([amf0('@setDataFrame'), amf0('onMetaData'), amf0({ width: hostile(rng, 640), height: hostile(rng, 360), audiocodecid: hostile(rng, 10), stereo: hostile(rng, true) })]);
    return chunkMessage({ chunkStreamId, type: 18, streamId: 1, payload: metadata });
  }
  return chunkMessage({ chunkStreamId, type: rng.pick([15, 16, 19, 22, 8, 9]), streamId: rng.int(0, 3), payload: rng.bytes(rng.int(0, 300)) });
}

function commandMessage(rng: Rng, port: number): Buffer {
  const command = rng.pick(['connect', 'connect', 'createStream', 'publish', 'play', 'deleteStream', 'releaseStream', 'FCPublish', 'call', 'seek', 'pause', 'play2', 'closeStream', '_result', 'unknown']);
  const transaction = rng.pick([1, 0, -1, 2 ** 53, Number.NaN]);
  let args: Amf0Value[];
  if (command === 'connect') {
    const object: Record<string, Amf0Value> = { app: hostile(rng, 'live'), type: 'nonprivate', flashVer: 'FMLE/3.0', tcUrl: hostile(rng, `rtmp://127.0.0.1:${port}/live`) };
    if (rng.chance(0.2)) delete object.tcUrl;
    if (rng.chance(0.2)) object.objectEncoding = rng.pick([0, 3, Number.NaN, 'three'] as Amf0Value[]);
    args = [rng.chance(0.9) ? object : rng.pick(HOSTILE_VALUES)];
  } else if (command === 'publish' || command === 'play') {
    args = [null, rng.pick(STREAM_NAMES), hostile(rng, 'live')];
  } else {
    args = Array.from({ length: rng.int(0, 3) }, () => rng.pick(HOSTILE_VALUES));
  }
  const body = amf0Command(command, transaction as number, ...args);
  const flex = rng.chance(0.2); // AMF3 command message: one leading byte, then AMF0 (as NMS reads it)
  return chunkMessage({ chunkStreamId: rng.pick([3, 3, 8, 2, 63, 64, 320]), type: flex ? 17 : 20, streamId: rng.int(0, 2), payload: flex ? Buffer.concat([Buffer.from([0]), body]) : body });
}

function controlMessage(rng: Rng): Buffer {
  const value = Buffer.alloc(4);
  value.writeUInt32BE(rng.pick([0, 1, 127, 128, 4096, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, rng.int(0, 0xffffffff)]) >>> 0);
  const type = rng.pick([1, 1, 2, 3, 4, 5, 6]);
  return chunkMessage({ chunkStreamId: 2, type, payload: rng.chance(0.1) ? value.subarray(0, rng.int(0, 3)) : type === 6 ? Buffer.concat([value, Buffer.from([rng.int(0, 255)])]) : value });
}

function chunkStreamFlood(rng: Rng): Buffer {
  const pieces: Buffer[] = [];
  for (let index = rng.int(10, 400); index > 0; index--) {
    const header = Buffer.alloc(11);
    header.writeUIntBE(rng.int(0, 0xffffff), 3, 3);
    header[6] = rng.pick([8, 9, 20]);
    pieces.push(basicHeader(0, rng.int(2, 65599)), header, rng.bytes(rng.int(0, 64)));
  }
  return Buffer.concat(pieces);
}

export function chunksInput(port: number) {
  return (rng: Rng): Buffer[] => {
    const messages: Buffer[] = [];
    if (rng.chance(0.7)) messages.push(chunkMessage({ chunkStreamId: 3, type: 20, payload: amf0Command('connect', 1, { app: 'live', tcUrl: `rtmp://127.0.0.1:${port}/live` }) }));
    for (let count = rng.int(1, 8); count > 0; count--) {
      const kind = rng.int(0, 9);
      if (kind <= 3) messages.push(commandMessage(rng, port));
      else if (kind <= 5) messages.push(mediaMessage(rng, rng.pick([4, 5, 6, 7])));
      else if (kind <= 7) messages.push(controlMessage(rng));
      else if (kind === 8) messages.push(chunkStreamFlood(rng));
      else messages.push(chunkMessage({ chunkStreamId: 4, type: 9, payload: rng.bytes(rng.int(0, 200)), length: rng.pick([0, 1, 0xffff, 0x10000, 0x7fffff, 0xffffff]) }));
    }
    const stream = Buffer.concat(messages);
    return split(rng, rng.chance(0.4) ? rng.mutate(stream, rng.int(1, 16)) : stream);
  };
}

const surfaces: FuzzSurface[] = [
  { name: 'rtmp-handshake', kind: 'network', run: (context) => runRtmp(context, handshakeInput, false) },
  { name: 'rtmp-chunks', kind: 'network', run: (context) => runRtmp(context, chunksInput(context.target.rtmpPort), true) },
];

export default surfaces;
