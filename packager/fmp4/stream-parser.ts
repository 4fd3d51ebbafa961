// Turns the byte stream of `ffmpeg -f mp4 -movflags +frag_keyframe+empty_moov+default_base_moof`
// into init segments and fragments. Boxes that carry nothing an HLS packager serves (styp, sidx
// from +dash, prft, emsg, free, the closing mfra) are skipped rather than refused.
import { BoxReader, type BoxReaderOptions, type Mp4Box } from './box-reader.ts';
import { Fmp4ParseError } from './errors.ts';
import { parseFragment, type Fragment } from './fragment.ts';
import { parseInitSegment, type InitSegment } from './init-segment.ts';

export type Fmp4Event =
  | { type: 'init'; init: InitSegment }
  | { type: 'fragment'; fragment: Fragment };

export class Fmp4StreamParser {
  readonly #boxes: BoxReader;
  #ftyp: Uint8Array | undefined;
  #init: InitSegment | undefined;
  #moof: Uint8Array | undefined;
  #failure: Fmp4ParseError | undefined;
  #skippedBoxes = 0;

  constructor(options: BoxReaderOptions = {}) {
    this.#boxes = new BoxReader(options);
  }

  get init(): InitSegment | undefined { return this.#init; }
  /** Top-level boxes ignored so far (sidx, styp, prft, free, ...). */
  get skippedBoxes(): number { return this.#skippedBoxes; }
  /** Bytes of a box still arriving. */
  get bufferedBytes(): number { return this.#boxes.bufferedBytes + (this.#moof?.byteLength ?? 0); }

  /**
   * Feeds a chunk; returns what it completed. Throws Fmp4ParseError (only that) on corrupt input,
   * and keeps throwing it: box boundaries are lost, so a new stream needs a new parser.
   */
  push(chunk: Uint8Array): Fmp4Event[] {
    if (this.#failure) throw this.#failure;
    try {
      const events: Fmp4Event[] = [];
      for (const box of this.#boxes.push(chunk)) {
        const event = this.#accept(box);
        if (event) events.push(event);
      }
      return events;
    } catch (error) {
      this.#failure = error instanceof Fmp4ParseError ? error : new Fmp4ParseError(`unexpected: ${String(error)}`);
      throw this.#failure;
    }
  }

  #accept(box: Mp4Box): Fmp4Event | undefined {
    switch (box.type) {
      case 'ftyp':
        this.#ftyp = box.bytes;
        return undefined;
      case 'moov':
        this.#init = parseInitSegment(this.#ftyp, box.bytes);
        this.#ftyp = undefined;
        return { type: 'init', init: this.#init };
      case 'moof':
        return this.#acceptMoof(box.bytes);
      case 'mdat':
        return this.#acceptMdat(box.bytes);
      default:
        this.#skippedBoxes++;
        return undefined;
    }
  }

  #acceptMoof(moof: Uint8Array): undefined {
    if (!this.#init) throw new Fmp4ParseError("'moof' before any 'moov': the stream must start with an init segment (-movflags +empty_moov)");
    if (this.#moof) throw new Fmp4ParseError("two 'moof' boxes in a row without an 'mdat'");
    this.#moof = moof;
    return undefined;
  }

  #acceptMdat(mdat: Uint8Array): Fmp4Event {
    const moof = this.#moof;
    const init = this.#init;
    if (!moof || !init) throw new Fmp4ParseError("'mdat' without a 'moof' before it: the input is not fragmented MP4 (-movflags +frag_keyframe)");
    this.#moof = undefined;
    return { type: 'fragment', fragment: parseFragment(moof, mdat, init) };
  }
}
