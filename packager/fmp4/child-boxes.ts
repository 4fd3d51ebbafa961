// Walks the boxes nested inside a parsed box (moov → trak → mdia ...), with every size checked
// against its parent so that a lying size cannot send a read outside the buffer.
import { readBoxHeader } from './box-header.ts';
import { Fmp4ParseError } from './errors.ts';

export interface BoxRange {
  type: string;
  /** Offsets into the same byte array: the box starts at `start`, its payload at `payloadStart`. */
  start: number;
  payloadStart: number;
  end: number;
}

/** The children of `bytes[start, end)`. */
function childBoxes(bytes: Uint8Array, start: number, end: number, parent: string): BoxRange[] {
  const children: BoxRange[] = [];
  let offset = start;
  while (offset < end) {
    if (end - offset < 8) throw new Fmp4ParseError(`'${parent}': ${end - offset} stray bytes after its last child`);
    const header = readBoxHeader(bytes, offset);
    const boxEnd = header.size === 0 ? end : offset + header.size;
    if (boxEnd > end) throw new Fmp4ParseError(`'${parent}' → '${header.type}': size ${header.size} runs past its parent`);
    children.push({ type: header.type, start: offset, payloadStart: offset + header.headerSize, end: boxEnd });
    offset = boxEnd;
  }
  return children;
}

/** The children of a box found earlier. */
export function childrenOf(bytes: Uint8Array, box: BoxRange): BoxRange[] {
  return childBoxes(bytes, box.payloadStart, box.end, box.type);
}

export function findChild(bytes: Uint8Array, box: BoxRange, type: string): BoxRange | undefined {
  return childrenOf(bytes, box).find((child) => child.type === type);
}

/** Follows a path of types ('mdia', 'minf', 'stbl') down from `box`. */
export function findPath(bytes: Uint8Array, box: BoxRange, path: string[]): BoxRange | undefined {
  let current: BoxRange | undefined = box;
  for (const type of path) {
    if (!current) return undefined;
    current = findChild(bytes, current, type);
  }
  return current;
}

export function requireChild(bytes: Uint8Array, box: BoxRange, type: string): BoxRange {
  const child = findChild(bytes, box, type);
  if (!child) throw new Fmp4ParseError(`'${box.type}' has no '${type}' box`);
  return child;
}

/** A whole top-level box as a range over its own bytes. */
export function rootRange(bytes: Uint8Array): BoxRange {
  const header = readBoxHeader(bytes, 0);
  return { type: header.type, start: 0, payloadStart: header.headerSize, end: bytes.byteLength };
}
