// Big-endian reads with bounds checks: a truncated or lying box gives an Fmp4ParseError
// that names the box, never a RangeError from deep inside a DataView.
import { Fmp4ParseError } from './errors.ts';

export class ByteReader {
  readonly #view: DataView;
  readonly #end: number;
  readonly #context: string;
  #offset: number;

  /** Reads `bytes[start, end)`; `context` names the box in error messages. */
  constructor(bytes: Uint8Array, start: number, end: number, context: string) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#offset = start;
    this.#end = Math.min(end, bytes.byteLength);
    this.#context = context;
  }

  get offset(): number { return this.#offset; }
  get remaining(): number { return this.#end - this.#offset; }

  skip(count: number): void {
    this.#need(count);
    this.#offset += count;
  }

  uint8(): number {
    this.#need(1);
    return this.#view.getUint8(this.#offset++);
  }

  uint16(): number {
    this.#need(2);
    const value = this.#view.getUint16(this.#offset);
    this.#offset += 2;
    return value;
  }

  uint32(): number {
    this.#need(4);
    const value = this.#view.getUint32(this.#offset);
    this.#offset += 4;
    return value;
  }

  int32(): number {
    this.#need(4);
    const value = this.#view.getInt32(this.#offset);
    this.#offset += 4;
    return value;
  }

  /** 64-bit values as numbers: exact up to 2^53, which at 90 kHz is some 3,000 years of media. */
  uint64(): number {
    this.#need(8);
    const value = this.#view.getBigUint64(this.#offset);
    this.#offset += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Fmp4ParseError(`${this.#context}: 64-bit value ${value} is too large`);
    return Number(value);
  }

  /** A full box's version (8 bits) and flags (24 bits). */
  versionAndFlags(): { version: number; flags: number } {
    const word = this.uint32();
    return { version: word >>> 24, flags: word & 0xffffff };
  }

  #need(count: number): void {
    if (this.#offset + count > this.#end) {
      throw new Fmp4ParseError(`${this.#context}: truncated (needs ${count} more bytes at offset ${this.#offset}, box ends at ${this.#end})`);
    }
  }
}
