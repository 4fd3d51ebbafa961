// SRT on its UDP port (ingest/srt): garbage datagrams, mutated induction requests, and conclusions
// that carry the cookie the server gave (so they reach the stream id parser and the gate) with
// hostile stream ids and mutated fields. The server must stay up (the runner checks) and, every 100
// inputs, must still answer a proper induction (a listener that stopped answering is a crash).
import { createSocket, type Socket } from 'node:dgram';
import type { FuzzContext, FuzzSurface } from '../surface.ts';
import type { Rng } from '../rng.ts';
import { crashNoter, runPool } from '../http-client.ts';
import { encodeStreamIdField } from '../../../ingest/srt/stream-id.ts';

// Captured between ffmpeg 5.1 (libsrt 1.5.1) as caller and ffmpeg as listener (test/unit/srt-handshake.test.ts).
const INDUCTION = Buffer.from('8000000000000000000000dc00000000000000040000000207510003000005dc000020000000000117d51b66000000000100007f000000000000000000000000', 'hex');
const CONCLUSION_HEAD = Buffer.from('8000000000000000000007d800000000000000050000000507510003000005dc00002000ffffffff17d51b6656d33f790100007f000000000000000000000000', 'hex');
const HSREQ = Buffer.from('0001000300010501000000bf00780000', 'hex');
const KMREQ = Buffer.from('0003000112202900', 'hex');
const CONCURRENCY = 4;
const ANSWER_MS = 40;
const PROBE_EVERY = 100;

const STREAM_IDS = ['#!::r=00000000-0000-4000-8000-000000000000,m=publish', '00000000-0000-4000-8000-000000000000', '', '#!::', '#!::m=request',
  '#!::r=a,r=b', '#!::=x', '#!::r=' + 'k'.repeat(600), 'x'.repeat(511), '\u0000key', 'clé-\u{1f600}', '#!::r=key,t=file', '#!::u=admin,r=key,h=host',
  '#!::r=key,m=publish,s=session', ',,,', '=', '%00%ff', '../../etc/passwd'];

class UdpClient {
  readonly socket: Socket;
  #waiting: ((packet: Buffer | undefined) => void) | undefined;

  constructor() {
    this.socket = createSocket('udp4');
    this.socket.on('message', (packet) => { this.#waiting?.(packet); this.#waiting = undefined; });
    this.socket.on('error', () => undefined);
  }

  /** Sends one datagram and resolves with the first answer, or undefined after ms. */
  exchange(port: number, datagram: Buffer, ms: number): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.#waiting = undefined; resolve(undefined); }, ms);
      this.#waiting = (packet) => { clearTimeout(timer); resolve(packet); };
      this.socket.send(datagram, port, '127.0.0.1');
    });
  }

  close(): void {
    this.socket.close();
  }
}

function extension(type: number, content: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(content.length / 4, 2);
  return Buffer.concat([header, content]);
}

function conclusion(rng: Rng, cookie: number): Buffer {
  const head = Buffer.from(CONCLUSION_HEAD);
  head.writeUInt32BE(cookie >>> 0, 44);
  head.writeUInt32BE(rng.int(1, 0x7fffffff), 40); // a new caller socket id each time
  const extensions = [HSREQ, extension(5, encodeStreamIdField(rng.pick(STREAM_IDS)))];
  if (rng.chance(0.1)) extensions.push(KMREQ);
  if (rng.chance(0.1)) extensions.push(extension(rng.int(0, 0xffff), rng.bytes(rng.int(0, 16) * 4)));
  if (rng.chance(0.2)) extensions.reverse();
  return Buffer.concat([head, ...extensions]);
}

async function cookieOf(client: UdpClient, port: number): Promise<number> {
  const answer = await client.exchange(port, INDUCTION, 500);
  return answer && answer.length >= 48 ? answer.readUInt32BE(44) : 0;
}

const surface: FuzzSurface = {
  name: 'srt-handshake',
  kind: 'network',
  async run(context: FuzzContext) {
    const { rng, target } = context;
    const noteCrash = crashNoter(context);
    const clients = Array.from({ length: CONCURRENCY }, () => new UdpClient());
    let nextClient = 0;
    try {
      return await runPool(context.count, CONCURRENCY, async (index) => {
        const client = clients[nextClient++ % clients.length];
        const kind = rng.int(0, 5);
        const mutations = rng.int(1, 10);
        const garbage = rng.bytes(rng.int(0, 1500));
        const conclusionSeed = rng.int(0, 0x7fffffff);
        const mutateConclusion = rng.chance(0.5);
        if (kind === 0) await client.exchange(target.srtPort, garbage, ANSWER_MS);
        else if (kind === 1) await client.exchange(target.srtPort, rng.mutate(INDUCTION, mutations), ANSWER_MS);
        else {
          const cookie = await cookieOf(client, target.srtPort);
          // The conclusion's own randomness comes from a seed drawn before any await (replayable).
          const { Rng } = await import('../rng.ts');
          const local = new Rng(conclusionSeed);
          const datagram = conclusion(local, cookie);
          await client.exchange(target.srtPort, mutateConclusion ? local.mutate(datagram, mutations) : datagram, ANSWER_MS);
        }
        if (index % PROBE_EVERY === PROBE_EVERY - 1) {
          const probe = new UdpClient();
          const answer = await probe.exchange(target.srtPort, INDUCTION, 2000);
          probe.close();
          if (!answer) { noteCrash('srt listener', `no answer to a proper induction after input #${index}`); return true; }
        }
        return false;
      });
    } finally {
      for (const client of clients) client.close();
    }
  },
};

export default surface;
