// Splits an FLV byte stream (ffmpeg's `-f flv` output, arriving in arbitrary chunks) into its
// file header and whole tags, each tag with its trailing PreviousTagSize, as node-media-server
// hands FLV to its readers. Memory is bounded by one tag (at most 16 MiB by the format).

export const FLV_TAG_AUDIO = 8;
export const FLV_TAG_VIDEO = 9;
export const FLV_TAG_SCRIPT = 18;
const TAG_HEADER_BYTES = 11;
const PREVIOUS_TAG_SIZE_BYTES = 4;
const SOUND_FORMAT_AAC = 10;
const VIDEO_CODEC_AVC = 7;

export type FlvTagKind =
  | 'metadata'
  | 'audio-header'
  | 'video-header'
  | 'keyframe'
  | 'frame';

export interface FlvTag {
  kind: FlvTagKind;
  /** The whole tag: 11-byte header, body, PreviousTagSize. */
  bytes: Buffer;
}

export interface FlvReaderEvents {
  header(bytes: Buffer): void;
  tag(tag: FlvTag): void;
}

/** What a tag is, from its first body bytes (AAC/AVC sequence headers are codec configuration). */
export function classifyTag(tag: Buffer): FlvTagKind {
  const type = tag[0];
  const body = tag.subarray(TAG_HEADER_BYTES, tag.length - PREVIOUS_TAG_SIZE_BYTES);
  if (type === FLV_TAG_SCRIPT) return 'metadata';
  if (type === FLV_TAG_AUDIO) {
    return body.length > 1 && (body[0] >> 4) === SOUND_FORMAT_AAC && body[1] === 0 ? 'audio-header' : 'frame';
  }
  if (type === FLV_TAG_VIDEO && body.length > 0) {
    if ((body[0] & 0x0f) === VIDEO_CODEC_AVC && body.length > 1 && body[1] === 0) return 'video-header';
    return (body[0] >> 4) === 1 ? 'keyframe' : 'frame';
  }
  return 'frame';
}

export class FlvReader {
  readonly #events: FlvReaderEvents;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #headerSeen = false;

  constructor(events: FlvReaderEvents) {
    this.#events = events;
  }

  /** Throws on a stream that is not FLV or has lost its framing. */
  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    for (;;) {
      if (!this.#headerSeen) {
        const start = this.#peek(9);
        if (!start) return;
        if (start.toString('latin1', 0, 3) !== 'FLV') throw new Error('not an FLV stream');
        const length = start.readUInt32BE(5) + PREVIOUS_TAG_SIZE_BYTES;
        const header = this.#take(length);
        if (!header) return;
        this.#headerSeen = true;
        this.#events.header(header);
        continue;
      }
      const start = this.#peek(TAG_HEADER_BYTES);
      if (!start) return;
      const type = start[0] & 0x1f;
      if (type !== FLV_TAG_AUDIO && type !== FLV_TAG_VIDEO && type !== FLV_TAG_SCRIPT) {
        throw new Error(`FLV framing lost (tag type ${start[0]})`);
      }
      const dataSize = start.readUIntBE(1, 3);
      const tag = this.#take(TAG_HEADER_BYTES + dataSize + PREVIOUS_TAG_SIZE_BYTES);
      if (!tag) return;
      if (tag.readUInt32BE(TAG_HEADER_BYTES + dataSize) !== TAG_HEADER_BYTES + dataSize) {
        throw new Error('FLV framing lost (PreviousTagSize mismatch)');
      }
      this.#events.tag({ kind: classifyTag(tag), bytes: tag });
    }
  }

  /** The first n buffered bytes, contiguous, without consuming them. */
  #peek(n: number): Buffer | undefined {
    if (this.#buffered < n) return undefined;
    if (this.#chunks[0].length < n) this.#chunks = [Buffer.concat(this.#chunks, this.#buffered)];
    return this.#chunks[0];
  }

  #take(n: number): Buffer | undefined {
    const first = this.#peek(n);
    if (!first) return undefined;
    const taken = first.subarray(0, n);
    if (first.length === n) this.#chunks.shift();
    else this.#chunks[0] = first.subarray(n);
    this.#buffered -= n;
    return taken;
  }
}
