// A raw RTMP client for hostile tests and fuzzers: a real (simple) handshake, then whatever
// chunks and AMF commands the caller crafts, as an attacker would send them byte by byte.
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { settleWithin } from './wait.ts';

export const HANDSHAKE_SIZE = 1536;

/** AMF0 values: a JS value is encoded by its type; `amf0.raw` inserts bytes as they are. */
export type Amf0Value = number | boolean | string | null | undefined | Amf0Raw | Amf0Value[] | { [key: string]: Amf0Value };
export class Amf0Raw {
  readonly bytes: Buffer;
  constructor(bytes: Buffer) { this.bytes = bytes; }
}

export function amf0(value: Amf0Value): Buffer {
  if (value instanceof Amf0Raw) return value.bytes;
  if (value === null) return Buffer.from([0x05]);
  if (value === undefined) return Buffer.from([0x06]);
  if (typeof value === 'number') {
    const out = Buffer.alloc(9);
    out[0] = 0x00;
    out.writeDoubleBE(value, 1);
    return out;
  }
  if (typeof value === 'boolean') return Buffer.from([0x01, value ? 1 : 0]);
  if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8');
    if (text.length > 0xffff) return Buffer.concat([Buffer.from([0x0c]), u32(text.length), text]);
    return Buffer.concat([Buffer.from([0x02]), u16(text.length), text]);
  }
  if (Array.isArray(value)) return Buffer.concat([Buffer.from([0x0a]), u32(value.length), ...value.map(amf0)]);
  const fields = Object.entries(value).map(([key, field]) => {
    const name = Buffer.from(key, 'utf8');
    return Buffer.concat([u16(name.length), name, amf0(field)]);
  });
  return Buffer.concat([Buffer.from([0x03]), ...fields, Buffer.from([0x00, 0x00, 0x09])]);
}

/** An AMF0 command message body: name, transaction id, then the arguments. */
export function amf0Command(name: string, transactionId: number, ...args: Amf0Value[]): Buffer {
  return Buffer.concat([amf0(name), amf0(transactionId), ...args.map(amf0)]);
}

export interface RtmpMessage {
  chunkStreamId: number;
  type: number;
  streamId?: number;
  timestamp?: number;
  payload: Buffer;
  /** Declared message length; the payload's length unless a test lies about it. */
  length?: number;
}

/** Splits one message into chunks: a type-0 header, then type-3 continuations every chunkSize bytes. */
export function chunkMessage(message: RtmpMessage, chunkSize = 128): Buffer {
  const { chunkStreamId, type, streamId = 0, timestamp = 0, payload } = message;
  const header = Buffer.alloc(11);
  header.writeUIntBE(Math.min(timestamp, 0xffffff), 0, 3);
  header.writeUIntBE(message.length ?? payload.length, 3, 3);
  header[6] = type;
  header.writeUInt32LE(streamId >>> 0, 7);
  const parts: Buffer[] = [basicHeader(0, chunkStreamId), header];
  for (let offset = 0; offset < payload.length; offset += chunkSize) {
    if (offset > 0) parts.push(basicHeader(3, chunkStreamId));
    parts.push(payload.subarray(offset, offset + chunkSize));
  }
  return Buffer.concat(parts);
}

export function basicHeader(format: number, chunkStreamId: number): Buffer {
  if (chunkStreamId >= 64 + 256) return Buffer.from([(format << 6) | 1, (chunkStreamId - 64) & 0xff, (chunkStreamId - 64) >> 8]);
  if (chunkStreamId >= 64) return Buffer.from([(format << 6) | 0, chunkStreamId - 64]);
  return Buffer.from([(format << 6) | chunkStreamId]);
}

export function setChunkSizeMessage(size: number): Buffer {
  return chunkMessage({ chunkStreamId: 2, type: 1, payload: u32(size >>> 0) });
}

/** C0 and C1 of a simple handshake (no digest: every server accepts it). */
export function clientHello(): Buffer {
  const c1 = randomBytes(HANDSHAKE_SIZE);
  c1.writeUInt32BE(0, 0);
  c1.writeUInt32BE(0, 4);
  return Buffer.concat([Buffer.from([0x03]), c1]);
}

export class RawRtmpClient {
  readonly socket: Socket;
  #received = Buffer.alloc(0);
  #closed: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (data) => {
      // Keep only what the handshake needs; a fuzzer's session may receive a lot.
      if (this.#received.length < 2 * HANDSHAKE_SIZE + 1) this.#received = Buffer.concat([this.#received, data]);
    });
    socket.on('error', () => undefined);
    this.#closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async open(port: number, timeoutMs = 5000): Promise<RawRtmpClient> {
    const socket = connect({ host: '127.0.0.1', port });
    const opened = new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    if (await settleWithin(opened, timeoutMs) === 'timeout') {
      socket.destroy();
      throw new Error('RTMP connect timed out');
    }
    return new RawRtmpClient(socket);
  }

  /** A complete simple handshake: C0+C1, wait for S0+S1+S2, send C2 (the echo of S1). */
  async handshake(timeoutMs = 5000): Promise<void> {
    this.socket.write(clientHello());
    const deadline = Date.now() + timeoutMs;
    while (this.#received.length < 1 + 2 * HANDSHAKE_SIZE) {
      if (this.isClosed() || Date.now() > deadline) throw new Error('RTMP handshake: no S0S1S2');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    this.socket.write(this.#received.subarray(1, 1 + HANDSHAKE_SIZE));
  }

  send(bytes: Buffer): void {
    if (!this.isClosed()) this.socket.write(bytes);
  }

  isClosed(): boolean {
    return this.socket.destroyed || this.socket.readyState === 'closed';
  }

  /** Resolves true if the server closed the connection within ms. */
  async closedWithin(ms: number): Promise<boolean> {
    return (await settleWithin(this.#closed, ms)) !== 'timeout';
  }

  close(): void {
    this.socket.destroy();
  }
}

function u16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value);
  return out;
}

function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}
