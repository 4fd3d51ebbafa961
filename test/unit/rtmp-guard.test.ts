// The RTMP guard hooks node-media-server's own objects (ingest/rtmp/guard.ts). If an NMS upgrade
// renames or moves what it hooks, these tests fail: the guard would otherwise be silently bypassed
// and one hostile packet could end the process again (issue 9, defect 1).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { assertNmsShape, guardRtmpProtocol, type NmsRtmpProtocol } from '../../ingest/rtmp/guard.ts';
import { amf0, amf0Command, chunkMessage, clientHello, HANDSHAKE_SIZE, setChunkSizeMessage } from '../helpers/raw-rtmp.ts';

const require = createRequire(import.meta.url);
const Rtmp = require('node-media-server/src/protocol/rtmp.js') as new () => NmsRtmpProtocol & { onOutputCallback: (buffer: Buffer) => void };
const LIMITS = { maxMessageBytes: 1 << 20, maxChunkStreams: 8, idleTimeoutMs: 30_000 };

/** A real NMS Rtmp parser past its handshake, guarded; returns the reasons it reported. */
function guardedParser(publishing = false) {
  const rtmp = new Rtmp();
  rtmp.onOutputCallback = () => undefined;
  const reasons: string[] = [];
  const errors: unknown[] = [];
  guardRtmpProtocol(rtmp, LIMITS, () => publishing, (reason, error) => { reasons.push(reason); errors.push(error); });
  rtmp.parserData(Buffer.concat([clientHello(), Buffer.alloc(HANDSHAKE_SIZE)]));
  return { rtmp, reasons, errors };
}

const invoke = (name: string, ...args: Parameters<typeof amf0Command>[2][]) =>
  chunkMessage({ chunkStreamId: 3, type: 20, payload: amf0Command(name, 1, ...args) });

describe('RTMP guard around node-media-server', () => {
  it('finds every hook it needs in the installed node-media-server', () => {
    assert.doesNotThrow(() => assertNmsShape());
    const { version } = require('node-media-server/package.json') as { version: string };
    assert.match(version, /^4\./, 'the guard was written against NMS 4.4.3: re-read ingest/rtmp/guard.ts before upgrading');
  });

  it('the server hook: NMS gives handleRequest to its TCP server as the connection listener', () => {
    const NodeRtmpServer = require('node-media-server/src/server/rtmp_server.js') as new () => { handleRequest: unknown; tcpServer?: import('node:net').Server };
    const Context = require('node-media-server/src/core/context.js') as { config: unknown };
    const saved = Context.config;
    Context.config = { rtmp: { port: 1 } };
    try {
      const server = new NodeRtmpServer();
      assert.ok(server.tcpServer?.listeners('connection').includes(server.handleRequest as never));
      assert.doesNotThrow(() => assertNmsShape(server as never));
    } finally {
      Context.config = saved;
    }
  });

  it('refuses a connect without tcUrl with our own error, before NMS reads it', () => {
    // Without the guard this is `new URL(undefined)`: a TypeError out of the socket's data handler.
    const parser = guardedParser();
    assert.equal(parser.rtmp.parserData(invoke('connect', { app: 'live' })), null);
    assert.deepEqual(parser.reasons, ['connect without a valid tcUrl']);
    assert.equal((parser.errors[0] as { code?: string }).code, 'RTMP_PROTOCOL_ERROR');
  });

  it('refuses publish with a non-string stream name, with our own error', () => {
    const parser = guardedParser();
    parser.rtmp.parserData(invoke('connect', { app: 'live', tcUrl: 'rtmp://127.0.0.1/live' }));
    assert.deepEqual(parser.reasons, []);
    parser.rtmp.parserData(chunkMessage({ chunkStreamId: 8, type: 20, streamId: 1, payload: amf0Command('publish', 2, null, 1234) }));
    assert.deepEqual(parser.reasons, ['publish without a valid stream name']);
  });

  it('refuses every play: RTMP is for publishing only', () => {
    for (const streamName of [1234, 'a-stream-key']) {
      const parser = guardedParser();
      parser.rtmp.parserData(invoke('connect', { app: 'live', tcUrl: 'rtmp://127.0.0.1/live' }));
      parser.rtmp.parserData(chunkMessage({ chunkStreamId: 8, type: 20, streamId: 1, payload: amf0Command('play', 2, null, streamName) }));
      assert.deepEqual(parser.reasons, ['play refused: RTMP is for publishing only (watch over HLS or WHEP)']);
    }
  });

  it('refuses set chunk size 0, too many chunk streams and oversized messages', () => {
    const zero = guardedParser();
    zero.rtmp.parserData(setChunkSizeMessage(0));
    assert.deepEqual(zero.reasons, ['set chunk size 0']);

    const many = guardedParser();
    for (let id = 4; id < 4 + LIMITS.maxChunkStreams + 1; id++) {
      many.rtmp.parserData(chunkMessage({ chunkStreamId: id, type: 8, payload: Buffer.alloc(1) }));
    }
    assert.deepEqual(many.reasons, [`more than ${LIMITS.maxChunkStreams} chunk streams`]);

    const big = guardedParser();
    big.rtmp.parserData(chunkMessage({ chunkStreamId: 4, type: 9, payload: Buffer.alloc(8), length: LIMITS.maxMessageBytes + 1 }));
    assert.deepEqual(big.reasons, [`a ${LIMITS.maxMessageBytes + 1}-byte message (limit ${LIMITS.maxMessageBytes})`]);
  });

  it('holds memory for the bytes that arrived, not for the length a header claims (found by fuzzing)', () => {
    // NMS allocated (zero-filled) the whole claimed length at the first chunk: 8 MiB for 12 bytes sent.
    const parser = guardedParser();
    parser.rtmp.parserData(chunkMessage({ chunkStreamId: 4, type: 9, payload: Buffer.alloc(1), length: LIMITS.maxMessageBytes }));
    const packet = parser.rtmp.inPackets.get(4)!;
    assert.ok(packet.capacity < 64 * 1024, `${packet.capacity} bytes held for one byte received`);
    assert.deepEqual(parser.reasons, []);
  });

  it('still reassembles a message that arrives in many small reads', () => {
    const parser = guardedParser();
    let connected: { tcUrl?: string } | undefined;
    const onConnect = parser.rtmp.onConnect;
    parser.rtmp.onConnect = (command) => { connected = command.cmdObj as { tcUrl?: string }; onConnect(command); };
    const tcUrl = `rtmp://127.0.0.1/live?${'x'.repeat(1500)}`;
    const bytes = invoke('connect', { app: 'live', tcUrl });
    for (let offset = 0; offset < bytes.length; offset += 7) parser.rtmp.parserData(bytes.subarray(offset, offset + 7));
    assert.deepEqual(parser.reasons, []);
    assert.equal(connected?.tcUrl, tcUrl);
  });

  it('reports any other throw beneath parserData once, then ignores the connection', () => {
    const parser = guardedParser();
    parser.rtmp.parserData(chunkMessage({ chunkStreamId: 3, type: 20, payload: Buffer.concat([amf0('connect'), Buffer.from([0x00, 0x01])]) }));
    assert.equal(parser.reasons.length, 1);
    assert.match(parser.reasons[0], /^malformed input/);
    assert.equal(parser.rtmp.parserData(invoke('connect', { app: 'live' })), null);
    assert.equal(parser.reasons.length, 1);
  });
});
