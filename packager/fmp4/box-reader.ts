// Splits a byte stream that arrives in arbitrary chunks (a pipe from ffmpeg) into whole top-level
// boxes. Bytes are kept as the chunks they came in and joined once per box, so a 5 MB mdat fed in
// 64 KiB chunks costs one copy, not a quadratic series of them.
import { headerBytesNeeded, readBoxHeader } from './box-header.ts';
import { Fmp4ParseError } from './errors.ts';

export interface Mp4Box {
  type: string;
  headerSize: number;
  /** The whole box, header included. */
  bytes: Uint8Array;
}

export interface BoxReaderOptions {
  /** A box larger than this is treated as corruption rather than buffered. */
  maxBoxBytes?: number;
}

/** 64 MiB: ten times a 2 s fragment at 25 Mb/s, far below what would hurt the server. */
const DEFAULT_MAX_BOX_BYTES = 64 * 1024 * 1024;
/** Enough for the longest header: size, type, largesize and a uuid. */
const LONGEST_HEADER = 32;

export class BoxReader {
  readonly #maxBoxBytes: number;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #streamOffset = 0;
  #failure: Fmp4ParseError | undefined;

  constructor(options: BoxReaderOptions = {}) {
    this.#maxBoxBytes = options.maxBoxBytes ?? DEFAULT_MAX_BOX_BYTES;
  }

  /** Bytes held for a box that has not fully arrived yet. */
  get bufferedBytes(): number { return this.#buffered; }

  /**
   * Adds a chunk and returns the boxes it completed. Throws Fmp4ParseError on corrupt input;
   * after that the reader stays failed (box boundaries are lost) and drops what it held.
   */
  push(chunk: Uint8Array): Mp4Box[] {
    if (this.#failure) throw this.#failure;
    if (chunk.byteLength > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.byteLength;
    }
    try {
      return this.#takeCompleteBoxes();
    } catch (error) {
      this.#failure = error instanceof Fmp4ParseError ? error : new Fmp4ParseError(String(error));
      this.#chunks = [];
      this.#buffered = 0;
      throw this.#failure;
    }
  }

  #takeCompleteBoxes(): Mp4Box[] {
    const boxes: Mp4Box[] = [];
    for (;;) {
      const head = this.#peek(Math.min(this.#buffered, LONGEST_HEADER));
      if (head.byteLength < headerBytesNeeded(head, 0)) return boxes;
      const header = readBoxHeader(head, 0);
      this.#check(header.type, header.size);
      if (this.#buffered < header.size) return boxes;
      boxes.push({ type: header.type, headerSize: header.headerSize, bytes: this.#take(header.size) });
    }
  }

  #check(type: string, size: number): void {
    const where = `box '${type}' at stream byte ${this.#streamOffset}`;
    if (size === 0) {
      throw new Fmp4ParseError(`${where} has size 0 ("to the end of the file"), which a live stream cannot have: ffmpeg must write fragmented MP4`);
    }
    if (size > this.#maxBoxBytes) {
      throw new Fmp4ParseError(`${where} claims ${size} bytes, over the ${this.#maxBoxBytes}-byte limit: corrupt input?`);
    }
  }

  /** The first `count` buffered bytes, copied only when they span chunks. */
  #peek(count: number): Uint8Array {
    const first = this.#chunks[0];
    if (first === undefined || first.byteLength >= count) return first?.subarray(0, count) ?? new Uint8Array(0);
    return this.#copy(count, false);
  }

  #take(count: number): Uint8Array {
    this.#streamOffset += count;
    const first = this.#chunks[0];
    if (first.byteLength >= count) {
      this.#buffered -= count;
      if (first.byteLength === count) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(count);
      return first.subarray(0, count);
    }
    return this.#copy(count, true);
  }

  #copy(count: number, consume: boolean): Uint8Array {
    const out = new Uint8Array(count);
    let written = 0;
    let index = 0;
    while (written < count) {
      const chunk = this.#chunks[index];
      const piece = chunk.subarray(0, count - written);
      out.set(piece, written);
      written += piece.byteLength;
      if (!consume) { index++; continue; }
      if (piece.byteLength === chunk.byteLength) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(piece.byteLength);
    }
    if (consume) this.#buffered -= count;
    return out;
  }
}
