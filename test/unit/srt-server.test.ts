// The SRT door without ffmpeg: handshakes crafted by hand against the real UDP server, with a
// fake gate and a fake spawn, to check what happens before any media: cookies, refusals, caps.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { PassThrough } from 'node:stream';
import { SrtIngestServer, type FfmpegChild, type SpawnFfmpeg } from '../../ingest/srt/server.ts';
import { HandshakeType, RejectCode, encodePeerIp, parseHandshake, type Handshake } from '../../ingest/srt/handshake.ts';
import { encodeStreamIdField } from '../../ingest/srt/stream-id.ts';
import type { Admission, PublishAttempt } from '../../ingest/contracts.ts';
import { createLogger } from '../../config/logger.ts';

const GOOD_KEY = 'good-key';

/** A caller's handshake request, shaped like libsrt 1.5.1's (see srt-handshake.test.ts). */
function request(type: number, socketId: number, cookie: number, streamId?: string): Buffer {
  const cif = Buffer.alloc(64);
  cif.writeUInt16BE(0x8000, 0);
  cif.writeUInt32BE(type === HandshakeType.INDUCTION ? 4 : 5, 16);
  cif.writeUInt16BE(type === HandshakeType.INDUCTION ? 2 : 5, 22);
  cif.writeUInt32BE(0x07510003, 24);
  cif.writeUInt32BE(1500, 28);
  cif.writeUInt32BE(8192, 32);
  cif.writeInt32BE(type, 36);
  cif.writeUInt32BE(socketId, 40);
  cif.writeUInt32BE(cookie, 44);
  encodePeerIp('127.0.0.1').copy(cif, 48);
  if (type === HandshakeType.INDUCTION) return cif;
  const hsreq = Buffer.from('0001000300010501000000bf00780000', 'hex');
  const parts: Buffer[] = [cif, hsreq];
  if (streamId !== undefined) {
    const field = encodeStreamIdField(streamId);
    const header = Buffer.alloc(4);
    header.writeUInt16BE(5, 0);
    header.writeUInt16BE(field.length / 4, 2);
    parts.push(header, field);
  }
  return Buffer.concat(parts);
}

class Caller {
  readonly socket: Socket = createSocket('udp4');
  readonly received: Handshake[] = [];
  readonly socketId = Math.floor(Math.random() * 0x7fffffff);
  readonly #port: number;

  constructor(port: number) {
    this.#port = port;
    this.socket.on('message', (packet) => {
      const handshake = parseHandshake(packet);
      if (handshake) this.received.push(handshake);
    });
  }

  async bind(): Promise<this> {
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', () => resolve()));
    return this;
  }

  send(packet: Buffer): void {
    this.socket.send(packet, this.#port, '127.0.0.1');
  }

  async next(timeoutMs = 1000): Promise<Handshake | undefined> {
    const count = this.received.length;
    const deadline = Date.now() + timeoutMs;
    while (this.received.length === count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    return this.received[count];
  }

  /** Induction then conclusion, as libsrt does it; returns the answer to the conclusion. */
  async connect(streamId: string | undefined): Promise<Handshake | undefined> {
    this.send(request(HandshakeType.INDUCTION, this.socketId, 0));
    const induction = await this.next();
    assert.ok(induction, 'an induction response');
    this.send(request(HandshakeType.CONCLUSION, this.socketId, induction.cookie, streamId));
    return this.next();
  }

  close(): void {
    this.socket.close();
  }
}

describe('SRT server handshake door', () => {
  let server: SrtIngestServer;
  const attempts: PublishAttempt[] = [];
  const spawned: string[][] = [];
  const gone: string[] = [];

  const spawnFfmpeg: SpawnFfmpeg = (_binary, args) => {
    spawned.push(args);
    let exit: (value: { code: number | null; signal: NodeJS.Signals | null }) => void = () => undefined;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => { exit = resolve; });
    const child: FfmpegChild = {
      outputs: [new PassThrough()],
      exited,
      stderrTail: () => '',
      kill: (signal) => exit({ code: null, signal: signal ?? 'SIGTERM' }),
    };
    return child;
  };

  before(async () => {
    server = new SrtIngestServer({
      host: '127.0.0.1', port: 0, ffmpegPath: 'ffmpeg', spawnFfmpeg, maxSessions: 1, log: createLogger('silent'),
      gate: {
        async admit(attempt): Promise<Admission> {
          attempts.push(attempt);
          if (attempt.streamKey !== GOOD_KEY) return { admitted: false, reason: 'unknown stream key' };
          return { admitted: true, publisherGone: () => { gone.push(attempt.remoteAddress); } };
        },
      },
    });
    await server.start();
  });

  after(async () => {
    await server.stop();
  });

  // What the gate and the spawner saw is counted per test: each starts from none.
  beforeEach(() => {
    attempts.length = 0;
    spawned.length = 0;
    gone.length = 0;
  });

  it('answers an induction with a cookie and keeps no state for it', async () => {
    const caller = await new Caller(server.port).bind();
    caller.send(request(HandshakeType.INDUCTION, caller.socketId, 0));
    const response = await caller.next();
    assert.equal(response?.type, HandshakeType.INDUCTION);
    assert.equal(response?.version, 5);
    assert.equal(response?.extensionFlags, 0x4a17);
    assert.equal(response?.destinationSocketId, caller.socketId);
    assert.notEqual(response?.cookie, 0);
    assert.equal(server.sessionCount, 0);
    caller.close();
  });

  it('ignores a conclusion without our cookie (a spoofed source): no answer, no gate, no process', async () => {
    const caller = await new Caller(server.port).bind();
    caller.send(request(HandshakeType.CONCLUSION, caller.socketId, 12345, GOOD_KEY));
    assert.equal(await caller.next(300), undefined);
    assert.equal(attempts.length, 0);
    assert.equal(spawned.length, 0);
    caller.close();
  });

  it('rejects a wrong key with 1403 and a missing or bad stream id with 1400/1405, before any process', async () => {
    for (const [streamId, code] of [['wrong', RejectCode.FORBIDDEN], [undefined, RejectCode.BAD_REQUEST], ['#!::r=x,m=request', RejectCode.BAD_MODE]] as const) {
      const caller = await new Caller(server.port).bind();
      const answer = await caller.connect(streamId);
      assert.equal(answer?.type, 1000 + code, `stream id ${streamId}`);
      assert.equal(answer?.destinationSocketId, caller.socketId);
      // The caller resends its conclusion if the rejection got lost: it gets the same answer.
      caller.send(request(HandshakeType.CONCLUSION, caller.socketId, caller.received[0].cookie, streamId));
      assert.equal((await caller.next())?.type, 1000 + code);
      caller.close();
    }
    assert.deepEqual(attempts.map((attempt) => attempt.streamKey), ['wrong'], 'only a well-formed key reaches the gate, once');
    assert.equal(spawned.length, 0);
  });

  it('admits a good key into a session with an ffmpeg listener, and refuses beyond maxSessions', async () => {
    const caller = await new Caller(server.port).bind();
    caller.send(request(HandshakeType.INDUCTION, caller.socketId, 0));
    const induction = await caller.next();
    caller.send(request(HandshakeType.CONCLUSION, caller.socketId, induction!.cookie, `#!::r=${GOOD_KEY},m=publish`));
    const deadline = Date.now() + 2000;
    while (spawned.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(spawned.length, 1);
    assert.match(spawned[0].join(' '), /-i srt:\/\/127\.0\.0\.1:\d+\?mode=listener&.* -c:v copy -c:a aac .*-f flv .*pipe:3$/);
    const admitted = attempts.at(-1)!;
    assert.equal(admitted.protocol, 'srt');
    assert.equal(admitted.streamKey, GOOD_KEY);
    assert.equal(admitted.feed.container, 'flv');
    assert.equal(server.sessionCount, 1);

    const other = await new Caller(server.port).bind();
    assert.equal((await other.connect(GOOD_KEY))?.type, 1000 + RejectCode.OVERLOAD);
    other.close();

    admitted.disconnect('test over');
    const closedBy = Date.now() + 2000;
    while (server.sessionCount > 0 && Date.now() < closedBy) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(server.sessionCount, 0);
    assert.deepEqual(gone, [admitted.remoteAddress], 'publisherGone exactly once');
    caller.close();
  });
});
