// Just enough of the SRT wire format to stand at the door: read a handshake, answer the
// induction ourselves, refuse a conclusion, and rewrite the two fields a relay must own.
// Layout (SRT RFC draft, checked against packets captured from ffmpeg 5.1 / libsrt 1.5.1, see
// test/unit/srt-handshake.test.ts):
//   header  0  F(1)|control type(15)|subtype(16)   4 type-specific   8 timestamp   12 destination socket id
//   CIF    16  version   20 encryption(16)|extension flags(16)   24 initial sequence number   28 MTU
//          32  flow window   36 handshake type   40 SRT socket id   44 SYN cookie   48 peer IP (16)
//          64  extensions: type(16)|length in 32-bit words(16)|content
// Every field is big-endian, but libsrt writes the peer IP and string extensions as host-order
// 32-bit words swapped to network order, so each 4-byte group reads reversed.
import { isIPv4, isIPv6 } from 'node:net';

const HEADER_BYTES = 16;
const HANDSHAKE_BYTES = 64;

const CONTROL_HANDSHAKE = 0x0000;
const CONTROL_SHUTDOWN = 0x0005;

export const HandshakeType = { WAVEAHAND: 0, INDUCTION: 1, CONCLUSION: -1, AGREEMENT: -2, DONE: -3 } as const;
/** A handshake type at or above this is a rejection: 1000 + reason (URQ_FAILURE_TYPES). */
const REJECTION_BASE = 1000;

/**
 * Rejection reasons. Below 1000 libsrt's own (SRT_REJ_*); 1000-1999 the Access Control
 * guidelines' "SRT_REJX_*" codes, HTTP-like; a caller logs them as application-defined.
 */
export const RejectCode = {
  UNSECURE: 11,
  BAD_REQUEST: 1400,
  UNAUTHORIZED: 1401,
  OVERLOAD: 1402,
  FORBIDDEN: 1403,
  BAD_MODE: 1405,
  CONFLICT: 1409,
  NOTSUP_MEDIA: 1415,
  INTERNAL: 1500,
} as const;

export const SRT_MAGIC_CODE = 0x4a17;
/** The extension flags an HSv5 caller's induction request carries (UDT_DGRAM). */
const UDT_DGRAM = 2;
export const ExtensionType = { HSREQ: 1, HSRSP: 2, KMREQ: 3, KMRSP: 4, SID: 5, CONGESTION: 6, FILTER: 7, GROUP: 8 } as const;

export interface HandshakeExtension {
  type: number;
  content: Buffer;
}

export interface Handshake {
  timestamp: number;
  destinationSocketId: number;
  version: number;
  encryption: number;
  extensionFlags: number;
  initialSequence: number;
  mtu: number;
  flowWindow: number;
  /** HandshakeType, or REJECTION_BASE + reason. */
  type: number;
  socketId: number;
  cookie: number;
  /** The 16 raw bytes. */
  peerIp: Buffer;
  extensions: HandshakeExtension[];
}

function isControl(packet: Buffer): boolean {
  return packet.length >= HEADER_BYTES && (packet[0] & 0x80) !== 0;
}

export function isHandshake(packet: Buffer): boolean {
  return isControl(packet) && (packet.readUInt16BE(0) & 0x7fff) === CONTROL_HANDSHAKE;
}

export function isShutdown(packet: Buffer): boolean {
  return isControl(packet) && (packet.readUInt16BE(0) & 0x7fff) === CONTROL_SHUTDOWN;
}

/** The handshake in a datagram, or undefined if it is something else or truncated. */
export function parseHandshake(packet: Buffer): Handshake | undefined {
  if (!isHandshake(packet) || packet.length < HANDSHAKE_BYTES) return undefined;
  const extensions: HandshakeExtension[] = [];
  for (let offset = HANDSHAKE_BYTES; offset + 4 <= packet.length;) {
    const type = packet.readUInt16BE(offset);
    const end = offset + 4 + packet.readUInt16BE(offset + 2) * 4;
    if (end > packet.length) return undefined;
    extensions.push({ type, content: packet.subarray(offset + 4, end) });
    offset = end;
  }
  return {
    timestamp: packet.readUInt32BE(8),
    destinationSocketId: packet.readUInt32BE(12),
    version: packet.readUInt32BE(16),
    encryption: packet.readUInt16BE(20),
    extensionFlags: packet.readUInt16BE(22),
    initialSequence: packet.readUInt32BE(24),
    mtu: packet.readUInt32BE(28),
    flowWindow: packet.readUInt32BE(32),
    type: packet.readInt32BE(36),
    socketId: packet.readUInt32BE(40),
    cookie: packet.readUInt32BE(44),
    peerIp: packet.subarray(48, 64),
    extensions,
  };
}

export function isRejection(handshake: Handshake): boolean {
  return handshake.type >= REJECTION_BASE;
}

/** The Stream ID extension's raw content (decode with stream-id.ts), if the caller sent one. */
export function streamIdField(handshake: Handshake): Buffer | undefined {
  return handshake.extensions.find((extension) => extension.type === ExtensionType.SID)?.content;
}

/** The peer IP field for an address as libsrt writes it (each 32-bit group byte-reversed). */
export function encodePeerIp(address: string): Buffer {
  const field = Buffer.alloc(16);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const v4 = mapped ?? (isIPv4(address) ? address : undefined);
  if (v4) {
    Buffer.from(v4.split('.').map(Number)).reverse().copy(field, 0);
    return field;
  }
  if (!isIPv6(address)) return field;
  const bytes = ipv6Bytes(address);
  for (let word = 0; word < 16; word += 4) bytes.subarray(word, word + 4).reverse().copy(field, word);
  return field;
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail = ''] = address.replace(/%.*$/, '').split('::');
  const groups = (part: string) => part ? part.split(':') : [];
  const left = groups(head);
  const right = groups(tail);
  const all = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  const bytes = Buffer.alloc(16);
  all.slice(0, 8).forEach((group, index) => bytes.writeUInt16BE(parseInt(group, 16) || 0, index * 2));
  return bytes;
}

function controlHeader(destinationSocketId: number, timestamp: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(0x8000 | CONTROL_HANDSHAKE, 0);
  header.writeUInt32BE(timestamp >>> 0, 8);
  header.writeUInt32BE(destinationSocketId >>> 0, 12);
  return header;
}

/**
 * What a listener answers to an induction request: HSv5, the SRT magic, our cookie. libsrt
 * keeps no state for it either; the cookie alone proves, at conclusion, that the caller
 * really receives at its source address.
 */
export function buildInductionResponse(request: Handshake, cookie: number, callerAddress: string, timestamp: number): Buffer {
  const packet = Buffer.alloc(HANDSHAKE_BYTES);
  controlHeader(request.socketId, timestamp).copy(packet, 0);
  packet.writeUInt32BE(5, 16);
  packet.writeUInt16BE(0, 20); // no cipher advertised: this door takes no passphrase
  packet.writeUInt16BE(SRT_MAGIC_CODE, 22);
  packet.writeUInt32BE(request.initialSequence, 24);
  packet.writeUInt32BE(request.mtu, 28);
  packet.writeUInt32BE(request.flowWindow, 32);
  packet.writeInt32BE(HandshakeType.INDUCTION, 36);
  packet.writeUInt32BE(request.socketId, 40);
  packet.writeUInt32BE(cookie >>> 0, 44);
  encodePeerIp(callerAddress).copy(packet, 48);
  return packet;
}

/** A refusal of a conclusion: the caller's connect fails at once with this reason. */
export function buildRejection(conclusion: Handshake, code: number, timestamp: number): Buffer {
  const packet = Buffer.alloc(HANDSHAKE_BYTES);
  controlHeader(conclusion.socketId, timestamp).copy(packet, 0);
  packet.writeUInt32BE(conclusion.version, 16);
  packet.writeUInt32BE(conclusion.initialSequence, 24);
  packet.writeUInt32BE(conclusion.mtu, 28);
  packet.writeUInt32BE(conclusion.flowWindow, 32);
  packet.writeInt32BE(REJECTION_BASE + code, 36);
  packet.writeUInt32BE(conclusion.socketId, 40);
  packet.writeUInt32BE(conclusion.cookie, 44);
  conclusion.peerIp.copy(packet, 48);
  return packet;
}

/**
 * The induction request the caller made to us, rebuilt from its conclusion, to start the
 * same handshake with the real listener behind the relay (which bakes its own cookie).
 */
export function inductionRequestFrom(conclusion: Handshake, peerIp: Buffer): Buffer {
  const packet = Buffer.alloc(HANDSHAKE_BYTES);
  controlHeader(0, conclusion.timestamp).copy(packet, 0);
  packet.writeUInt32BE(4, 16); // HSv5 callers announce version 4 in the induction
  packet.writeUInt16BE(0, 20);
  packet.writeUInt16BE(UDT_DGRAM, 22);
  packet.writeUInt32BE(conclusion.initialSequence, 24);
  packet.writeUInt32BE(conclusion.mtu, 28);
  packet.writeUInt32BE(conclusion.flowWindow, 32);
  packet.writeInt32BE(HandshakeType.INDUCTION, 36);
  packet.writeUInt32BE(conclusion.socketId, 40);
  peerIp.copy(packet, 48);
  return packet;
}

/** A copy of a handshake datagram with another cookie and peer IP (everything else untouched). */
export function rewriteHandshake(packet: Buffer, cookie: number, peerIp: Buffer): Buffer {
  const copy = Buffer.from(packet);
  copy.writeUInt32BE(cookie >>> 0, 44);
  peerIp.copy(copy, 48);
  return copy;
}

/** A readable name for a rejection reason, for log lines. */
export function describeRejection(type: number): string {
  const reason = type - REJECTION_BASE;
  const known: Record<number, string> = {
    3: 'resource allocation failure', 4: 'rogue peer', 8: 'version', 10: 'wrong passphrase', 11: 'passphrase required or unexpected',
    [RejectCode.BAD_REQUEST]: 'bad request', [RejectCode.UNAUTHORIZED]: 'unauthorized', [RejectCode.OVERLOAD]: 'overloaded',
    [RejectCode.FORBIDDEN]: 'forbidden', [RejectCode.BAD_MODE]: 'bad mode', [RejectCode.CONFLICT]: 'conflict',
    [RejectCode.INTERNAL]: 'internal error',
  };
  return `${reason}${known[reason] ? ` (${known[reason]})` : ''}`;
}
