// A thin wrapper of ours around node-media-server 4.4.3's RTMP sessions (not a fork, not a patch of
// node_modules): NMS parses every byte inside the socket's 'data' handler and catches nothing, so one
// malformed packet (a connect without tcUrl, a publish whose stream name is a number, a truncated AMF
// value) threw out of the event loop and ended the process, the API, every live and the chat (issue 9).
//
// Hooked, per connection, on the instances NMS creates (nothing global is patched):
// - NodeRtmpServer.handleRequest, the 'connection' / 'secureConnection' listener of its TCP and TLS
//   servers (src/server/rtmp_server.js): replaced by ours, which calls it, then finds the new
//   RtmpSession in Context.sessions by its socket and wraps it;
// - session.rtmp.parserData (src/protocol/rtmp.js), called by RtmpSession.onData for every chunk of
//   bytes: any throw beneath it (AMF decoding, the handlers below, our own sinks) closes that socket
//   only, with one log line;
// - Rtmp.onConnect / onPublish: the command is checked (commands.ts) before NMS reads it; onPlay is
//   refused outright (RTMP is for publishing only);
// - Rtmp.controlHandler: Set Chunk Size must be 1..2^31-1 (0 stalls the parser);
// - Rtmp.packetParse / packetAlloc / packetHandler: at most rtmp.maxChunkStreams chunk streams and
//   messages of at most rtmp.maxMessageBytes; and a message's buffer grows with the bytes that actually
//   arrive (NMS allocated, zero-filled, whatever the 24-bit length field claimed, at the first chunk:
//   a few bytes could make it allocate megabytes per chunk stream, and the churn stalled the event loop);
// - Rtmp.dataHandler: media and metadata are dropped until the connection is publishing (NMS would
//   cache them in a throwaway broadcast's GOP cache, up to 4096 messages).
// An idle connection (no bytes either way for rtmp.idleTimeoutSeconds) is closed too, and the 1 MiB FLV
// parser NMS allocates in every Rtmp object (rtmp.flv, unused by RTMP sessions) is let go at once.
// assertNmsShape() checks that these hooks still exist, at start-up and in test/unit/rtmp-guard.test.ts,
// so an NMS upgrade that renames or moves them fails loudly instead of silently unguarding us.
import { createRequire } from 'node:module';
import type { Server as NetServer, Socket } from 'node:net';
import type { Logger } from '../../config/index.ts';
import { RtmpProtocolError, checkChunkSize, checkConnect, checkStreamCommand } from './commands.ts';

const require = createRequire(import.meta.url);

export interface RtmpLimits {
  maxMessageBytes: number;
  maxChunkStreams: number;
  idleTimeoutMs: number;
}

/** The parts of NMS's Rtmp protocol object (src/protocol/rtmp.js) that the guard wraps. */
export interface NmsRtmpProtocol {
  parserData(buffer: Buffer): string | null;
  onConnect(command: { cmdObj?: unknown }): void;
  onPublish(command: { cmd?: unknown; streamName?: unknown }): void;
  onPlay(command: { cmd?: unknown; streamName?: unknown }): void;
  controlHandler(): void;
  packetParse(): void;
  packetAlloc(): void;
  dataHandler(): void;
  packetHandler(): void;
  inPackets: Map<number, NmsRtmpPacket>;
  parserPacket: NmsRtmpPacket;
  flv?: unknown;
  connectCmdObj?: unknown;
  streamName?: unknown;
}

interface NmsRtmpPacket {
  header: { type: number; length: number };
  payload: Buffer;
  capacity: number;
  /** Payload bytes received so far. */
  bytes: number;
}

interface NmsRtmpSession {
  socket: Socket;
  ip: string;
  rtmp: NmsRtmpProtocol;
  isPublisher?: boolean;
}

interface NmsRtmpServer {
  handleRequest: (socket: Socket) => void;
  tcpServer?: NetServer;
  tlsServer?: NetServer;
}

/** The limits from the config's rtmp section (config/schema.ts). */
export function rtmpLimits(config: { rtmp: { maxMessageBytes: number; maxChunkStreams: number; idleTimeoutSeconds: number } }): RtmpLimits {
  const { maxMessageBytes, maxChunkStreams, idleTimeoutSeconds } = config.rtmp;
  return { maxMessageBytes, maxChunkStreams, idleTimeoutMs: idleTimeoutSeconds * 1000 };
}

const PROTOCOL_METHODS = ['parserData', 'onConnect', 'onPublish', 'onPlay', 'controlHandler', 'packetParse', 'packetAlloc', 'packetHandler', 'dataHandler'] as const;
const SET_CHUNK_SIZE = 1;

/** Throws if node-media-server no longer has the shape the guard hooks (see the comment above). */
export function assertNmsShape(rtmpServer?: NmsRtmpServer): void {
  const { version } = require('node-media-server/package.json') as { version: string };
  const Rtmp = require('node-media-server/src/protocol/rtmp.js') as { prototype: Record<string, unknown> };
  const missing = PROTOCOL_METHODS.filter((method) => typeof Rtmp.prototype[method] !== 'function');
  const Context = require('node-media-server/src/core/context.js') as { sessions?: unknown };
  if (!(Context.sessions instanceof Map)) missing.push('Context.sessions' as never);
  if (rtmpServer) {
    if (typeof rtmpServer.handleRequest !== 'function') missing.push('NodeRtmpServer.handleRequest' as never);
    for (const [server, event] of listenersOf(rtmpServer)) {
      if (!server.listeners(event).includes(rtmpServer.handleRequest)) missing.push(`handleRequest as the ${event} listener` as never);
    }
  }
  if (missing.length) {
    throw new Error(`node-media-server ${version} changed shape (missing: ${missing.join(', ')}); ingest/rtmp/guard.ts must be updated`);
  }
}

/** Replaces NMS's connection listeners by ours, which guard each new session. Call before run(). */
export function guardRtmpServer(rtmpServer: NmsRtmpServer, limits: RtmpLimits, log: Logger): void {
  assertNmsShape(rtmpServer);
  const Context = require('node-media-server/src/core/context.js') as { sessions: Map<unknown, NmsRtmpSession> };
  const original = rtmpServer.handleRequest;
  for (const [server, event] of listenersOf(rtmpServer)) {
    server.removeListener(event, original);
    server.on(event, (socket: Socket) => {
      // Guard the socket before NMS sees it: its 'error' handler is attached only in run().
      socket.on('error', () => undefined);
      original(socket);
      const session = [...Context.sessions.values()].find((candidate) => candidate.socket === socket);
      if (session) guardRtmpSession(session, limits, log);
      else socket.destroy();
    });
  }
}

function guardRtmpSession(session: NmsRtmpSession, limits: RtmpLimits, log: Logger): void {
  const { socket } = session;
  const close = (reason: string) => {
    log.warn(`closed RTMP connection from ${session.ip}: ${reason}`);
    socket.destroy();
  };
  socket.setTimeout(limits.idleTimeoutMs, () => close(`idle for ${limits.idleTimeoutMs / 1000} s`));
  session.rtmp.flv = undefined;
  guardRtmpProtocol(session.rtmp, limits, () => session.isPublisher === true, close);
}

/**
 * Wraps one NMS Rtmp protocol object. `onError` is called once, with a one-line reason, for the
 * first protocol error; later bytes are ignored (the caller closes the socket).
 */
export function guardRtmpProtocol(rtmp: NmsRtmpProtocol, limits: RtmpLimits, isPublishing: () => boolean,
  onError: (reason: string, error: unknown) => void): void {
  const original = Object.fromEntries(PROTOCOL_METHODS.map((method) => [method, (rtmp[method] as (...args: never[]) => unknown).bind(rtmp)])) as
    { [K in typeof PROTOCOL_METHODS[number]]: NmsRtmpProtocol[K] };
  let failed = false;
  /** Messages begun and not yet complete: their buffers grow as their bytes arrive. */
  const arriving = new Set<NmsRtmpPacket>();
  let incoming = 0;

  rtmp.parserData = (buffer) => {
    if (failed) return null;
    try {
      // One call copies at most buffer.length bytes into any message: make room for that, no more.
      incoming = buffer.length;
      for (const packet of arriving) reserve(packet, packet.bytes + incoming);
      checkBuffered();
      return original.parserData(buffer);
    } catch (error) {
      failed = true;
      onError(error instanceof RtmpProtocolError ? error.message : `malformed input (${(error as Error).message})`, error);
      return null;
    }
  };
  rtmp.onConnect = (command) => {
    checkConnect(command, rtmp.connectCmdObj !== undefined);
    original.onConnect(command);
  };
  rtmp.onPublish = (command) => {
    checkStreamCommand(command, rtmp.connectCmdObj !== undefined, rtmp.streamName !== undefined);
    original.onPublish(command);
  };
  // Viewers watch over HLS or WHEP, where the video's privacy is checked. RTMP play would hand the raw
  // feed to whoever names its stream key, privacy unchecked: RTMP here is for publishing only.
  rtmp.onPlay = () => {
    throw new RtmpProtocolError('play refused: RTMP is for publishing only (watch over HLS or WHEP)');
  };
  rtmp.controlHandler = () => {
    const { header, payload } = rtmp.parserPacket;
    if (header.type === SET_CHUNK_SIZE) checkChunkSize(payload, header.length);
    original.controlHandler();
  };
  rtmp.packetParse = () => {
    original.packetParse();
    if (rtmp.inPackets.size > limits.maxChunkStreams) {
      throw new RtmpProtocolError(`more than ${limits.maxChunkStreams} chunk streams`);
    }
  };
  rtmp.packetAlloc = () => {
    const packet = rtmp.parserPacket;
    const { length } = packet.header;
    if (length > limits.maxMessageBytes) throw new RtmpProtocolError(`a ${length}-byte message (limit ${limits.maxMessageBytes})`);
    // Instead of NMS's allocation of the whole claimed length (original.packetAlloc, not called).
    arriving.add(packet);
    reserve(packet, incoming);
    checkBuffered();
  };
  // One big video message plus small ones is what a publisher needs; many big ones is an attack.
  const checkBuffered = () => {
    let buffered = 0;
    for (const packet of rtmp.inPackets.values()) buffered += packet.capacity;
    if (buffered > 2 * limits.maxMessageBytes) throw new RtmpProtocolError(`${buffered} bytes buffered across chunk streams`);
  };
  rtmp.packetHandler = () => {
    arriving.delete(rtmp.parserPacket);
    original.packetHandler();
  };
  rtmp.dataHandler = () => {
    if (isPublishing()) original.dataHandler();
  };
}

/** Grows a message's buffer (zero-filled, as NMS's) to min(its length, wanted), keeping what it holds. */
function reserve(packet: NmsRtmpPacket, wanted: number): void {
  const size = Math.min(packet.header.length, wanted);
  if (packet.capacity >= size) return;
  const grown = Buffer.alloc(Math.min(packet.header.length, Math.max(size, packet.capacity * 2)));
  packet.payload.copy(grown, 0, 0, Math.min(packet.bytes, packet.payload.length));
  packet.payload = grown;
  packet.capacity = grown.length;
}

function listenersOf(rtmpServer: NmsRtmpServer): Array<[NetServer, 'connection' | 'secureConnection']> {
  const pairs: Array<[NetServer, 'connection' | 'secureConnection']> = [];
  if (rtmpServer.tcpServer) pairs.push([rtmpServer.tcpServer, 'connection']);
  if (rtmpServer.tlsServer) pairs.push([rtmpServer.tlsServer, 'secureConnection']);
  return pairs;
}
