// Reads one box header (ISO/IEC 14496-12 §4.2): 32-bit size, four-character type, optional 64-bit
// largesize, optional uuid. Shared by the stream splitter and the parsers of nested boxes.
import { Fmp4ParseError } from './errors.ts';

export interface BoxHeader {
  type: string;
  /** Whole box, header included. 0 means "to the end of the enclosing space" (size field 0). */
  size: number;
  headerSize: number;
}

const BASE_HEADER = 8;
const LARGESIZE_HEADER = 16;
const UUID_EXTRA = 16;

/** Bytes needed before the header at `offset` can be read: 8, or 16 when the size field says largesize. */
export function headerBytesNeeded(bytes: Uint8Array, offset: number): number {
  if (bytes.byteLength - offset < BASE_HEADER) return BASE_HEADER;
  const size32 = readUint32(bytes, offset);
  const type = readType(bytes, offset + 4);
  return (size32 === 1 ? LARGESIZE_HEADER : BASE_HEADER) + (type === 'uuid' ? UUID_EXTRA : 0);
}

/**
 * Parses the header at `offset`; `bytes` must hold at least `headerBytesNeeded` bytes from there.
 * A type that is not four printable characters means we are not looking at a box boundary:
 * say so now rather than read a garbage size.
 */
export function readBoxHeader(bytes: Uint8Array, offset: number): BoxHeader {
  const needed = headerBytesNeeded(bytes, offset);
  if (bytes.byteLength - offset < needed) throw new Fmp4ParseError(`box header at byte ${offset} is truncated (${needed} bytes needed)`);
  const size32 = readUint32(bytes, offset);
  const type = readType(bytes, offset + 4);
  if (!isFourCharacterCode(bytes, offset + 4)) {
    throw new Fmp4ParseError(`not an MP4 box at byte ${offset}: type bytes ${hex(bytes.subarray(offset + 4, offset + 8))} are not a four-character code`);
  }
  let size = size32;
  let headerSize = BASE_HEADER;
  if (size32 === 1) {
    const large = new DataView(bytes.buffer, bytes.byteOffset + offset + 8, 8).getBigUint64(0);
    if (large > BigInt(Number.MAX_SAFE_INTEGER)) throw new Fmp4ParseError(`box '${type}': largesize ${large} is absurd`);
    size = Number(large);
    headerSize = LARGESIZE_HEADER;
  }
  if (type === 'uuid') headerSize += UUID_EXTRA;
  if (size !== 0 && size < headerSize) throw new Fmp4ParseError(`box '${type}': size ${size} is smaller than its own header (${headerSize} bytes)`);
  return { type, size, headerSize };
}

function readUint32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0;
}

function readType(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]);
}

/** Printable ASCII (space included: some registered types such as 'url ' end with one). */
function isFourCharacterCode(bytes: Uint8Array, offset: number): boolean {
  for (let index = offset; index < offset + 4; index++) {
    if (bytes[index] < 0x20 || bytes[index] > 0x7e) return false;
  }
  return true;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
}
