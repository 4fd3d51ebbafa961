// A seeded pseudo-random source (mulberry32): the same seed gives the same inputs, so a crash
// found once can be replayed with `npm run fuzz -- --seed N --surface NAME`.
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  bytes(length: number): Buffer {
    const buffer = Buffer.alloc(length);
    for (let i = 0; i < length; i++) buffer[i] = this.int(0, 255);
    return buffer;
  }

  /** A copy of `input` with a few bytes flipped, inserted, removed or set to boundary values. */
  mutate(input: Buffer, edits = this.int(1, 8)): Buffer {
    let out = Buffer.from(input);
    for (let edit = 0; edit < edits; edit++) {
      const at = out.length === 0 ? 0 : this.int(0, out.length - 1);
      switch (this.int(0, 4)) {
        case 0: if (out.length) out[at] ^= 1 << this.int(0, 7); break;
        case 1: if (out.length) out[at] = this.pick([0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff]); break;
        case 2: out = Buffer.concat([out.subarray(0, at), this.bytes(this.int(1, 16)), out.subarray(at)]); break;
        case 3: out = Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + this.int(1, 16)))]); break;
        default: if (out.length >= 4) out.writeUInt32BE(this.pick([0, 1, 0x7fffffff, 0xffffffff, 0x00ffffff]), Math.min(at, out.length - 4));
      }
    }
    return out;
  }
}
