// Cross-checks the LL-HLS probe's clock with the barcode: the probe dates a frame by its fMP4
// media time (our parser, trusting that the server keeps the publisher's timestamps), the barcode
// by which published frame the picture says it is. Decoding the last parts the probe fetched and
// comparing both per frame shows whether the media-time method is off, and by how much.
import { frameTimes } from './media-clock.ts';
import { decodeGrayFrames } from './gray-decoder.ts';
import { readBarcode } from './barcode.ts';
import { publishedTimeOf } from './publisher.ts';
import { percentile } from './stats.ts';

export interface CrossCheck {
  /** Frames compared (barcode read). */
  frames: number;
  unreadable: number;
  /** Media-time latency − barcode latency, per frame: median and largest magnitude (ms). */
  medianMs: number;
  maxAbsMs: number;
}

/** Keeps the last `keep` parts the probe fetched (consecutive, so they decode as one stream). */
export class PartSample {
  readonly #keep: number;
  #init: Uint8Array | undefined;
  #parts: Uint8Array[] = [];

  constructor(keep: number) {
    this.#keep = keep;
  }

  add(init: Uint8Array, part: Uint8Array): void {
    this.#init = init;
    this.#parts.push(part);
    if (this.#parts.length > this.#keep) this.#parts.shift();
  }

  async compare(): Promise<CrossCheck> {
    if (!this.#init) throw new Error('no LL-HLS part was kept for the barcode cross-check');
    const parts = Buffer.concat(this.#parts);
    const times = frameTimes(this.#init, parts);
    const pictures = await decodeGrayFrames(['-f', 'mp4'], Buffer.concat([this.#init, parts]));
    // The sample may not start on a keyframe: the decoder skips up to the first one, so the
    // pictures are the last frames. No B-frames (zerolatency): decode order is display order.
    const skipped = times.length - pictures.length;
    if (skipped < 0) throw new Error(`cross-check: ${pictures.length} pictures decoded from ${times.length} frames`);
    const deltas: number[] = [];
    let unreadable = 0;
    pictures.forEach((picture, index) => {
      const number = readBarcode(picture);
      if (number === undefined) unreadable++;
      else deltas.push((publishedTimeOf(number) - times[skipped + index]) * 1000);
    });
    const maxAbsMs = Math.max(...deltas.map(Math.abs));
    return { frames: deltas.length, unreadable, medianMs: percentile(deltas, 50), maxAbsMs };
  }
}
