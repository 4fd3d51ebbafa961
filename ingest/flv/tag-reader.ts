// Splits an FLV byte stream (ffmpeg's `-f flv` output, arriving in arbitrary chunks) into its
// file header and whole tags, each tag with its trailing PreviousTagSize, as node-media-server
// hands FLV to its readers, and says what each tag is. Pure byte handling: no I/O here.
// Memory is bounded by one tag (under 16 MiB: the size field has 24 bits) and each tag is copied
// out once, so a tag kept in a GOP cache holds exactly its own bytes.

export const FLV_TAG_AUDIO = 8;
export const FLV_TAG_VIDEO = 9;
export const FLV_TAG_SCRIPT = 18;
export const TAG_HEADER_BYTES = 11;
const PREVIOUS_TAG_SIZE_BYTES = 4;

const FLV_HEADER_BYTES = 9;
/** The header's own size field; ffmpeg writes 9, anything past this is not an FLV stream. */
const MAX_FLV_HEADER_BYTES = 1024;
const FLV_HAS_AUDIO = 0x04;
const FLV_HAS_VIDEO = 0x01;
const SOUND_FORMAT_AAC = 10;
const VIDEO_CODEC_AVC = 7;
const AVC_SEQUENCE_HEADER = 0;
const AVC_NALU = 1;
const FRAME_TYPE_KEYFRAME = 1;
const ON_METADATA = 'onMetaData';

/**
 * What a tag is to a GOP cache: `metadata` is onMetaData (any other script tag is `script`);
 * the headers are the AAC AudioSpecificConfig and the AVC decoder configuration (SPS/PPS);
 * `keyframe` is a video frame a decoder can start at.
 */
export type FlvTagKind = 'metadata' | 'script' | 'audio-header' | 'video-header' | 'keyframe' | 'frame';

export interface FlvTag {
  /** FLV_TAG_AUDIO, FLV_TAG_VIDEO or FLV_TAG_SCRIPT. */
  type: number;
  kind: FlvTagKind;
  /** Milliseconds, with the extended byte. */
  timestamp: number;
  /** The whole tag as it goes on the wire: 11-byte header, data, 4-byte PreviousTagSize. */
  bytes: Buffer;
}

/** The FLV header and the zero PreviousTagSize0 that follows it: what a reader must see first. */
export interface FlvHeader {
  bytes: Buffer;
  hasAudio: boolean;
  hasVideo: boolean;
}

export class FlvFormatError extends Error {}

function tagData(tag: Buffer): Buffer {
  return tag.subarray(TAG_HEADER_BYTES, tag.length - PREVIOUS_TAG_SIZE_BYTES);
}

/** What a whole tag is, from its type and first data bytes. */
export function classifyTag(tag: Buffer): FlvTagKind {
  const type = tag[0] & 0x1f;
  const data = tagData(tag);
  if (type === FLV_TAG_SCRIPT) {
    // AMF0 string marker, 16-bit length, then the name.
    const named = data.length >= 3 + ON_METADATA.length && data[0] === 2 && data.readUInt16BE(1) === ON_METADATA.length;
    return named && data.toString('latin1', 3, 3 + ON_METADATA.length) === ON_METADATA ? 'metadata' : 'script';
  }
  if (type === FLV_TAG_AUDIO) {
    return data.length > 1 && (data[0] >> 4) === SOUND_FORMAT_AAC && data[1] === 0 ? 'audio-header' : 'frame';
  }
  if (type !== FLV_TAG_VIDEO || data.length === 0) return 'frame';
  if ((data[0] & 0x0f) === VIDEO_CODEC_AVC) {
    if (data.length < 2) return 'frame';
    if (data[1] === AVC_SEQUENCE_HEADER) return 'video-header';
    // An AVC end of sequence carries the keyframe type too, but nothing can start there.
    if (data[1] !== AVC_NALU) return 'frame';
  }
  return (data[0] >> 4) === FRAME_TYPE_KEYFRAME ? 'keyframe' : 'frame';
}

/**
 * The `isKeyframeStart` flag of MediaSink.write, by node-media-server's convention (which the
 * RTMP feed passes on as it is): any video tag of frame type "keyframe", codec header included.
 */
export function isVideoKeyframeTag(tag: Buffer): boolean {
  return tag.length > TAG_HEADER_BYTES && (tag[0] & 0x1f) === FLV_TAG_VIDEO && (tag[TAG_HEADER_BYTES] >> 4) === FRAME_TYPE_KEYFRAME;
}

/** Incremental splitter: push chunks as they come, get back every tag they complete. */
export class FlvTagReader {
  #chunks: Buffer[] = [];
  #buffered = 0;
  #header: FlvHeader | undefined;
  #failure: FlvFormatError | undefined;

  /** Known once the first bytes are in; it comes before any tag. */
  get header(): FlvHeader | undefined { return this.#header; }

  /**
   * Returns the tags this chunk completes. Throws FlvFormatError on a stream that is not FLV or
   * has lost its framing; the reader cannot resync after that and throws it again on every push.
   */
  push(chunk: Buffer): FlvTag[] {
    if (this.#failure) throw this.#failure;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    try {
      return this.#read();
    } catch (error) {
      this.#failure = error as FlvFormatError;
      this.#chunks = [];
      this.#buffered = 0;
      throw error;
    }
  }

  #read(): FlvTag[] {
    const tags: FlvTag[] = [];
    if (!this.#header) {
      const start = this.#peek(FLV_HEADER_BYTES);
      if (!start) return tags;
      if (start.toString('latin1', 0, 3) !== 'FLV') throw new FlvFormatError('not an FLV stream');
      const headerSize = start.readUInt32BE(5);
      if (headerSize < FLV_HEADER_BYTES || headerSize > MAX_FLV_HEADER_BYTES) throw new FlvFormatError(`bad FLV header size ${headerSize}`);
      if (this.#buffered < headerSize + PREVIOUS_TAG_SIZE_BYTES) return tags;
      this.#header = {
        bytes: this.#take(headerSize + PREVIOUS_TAG_SIZE_BYTES),
        hasAudio: (start[4] & FLV_HAS_AUDIO) !== 0,
        hasVideo: (start[4] & FLV_HAS_VIDEO) !== 0,
      };
    }
    for (;;) {
      const head = this.#peek(TAG_HEADER_BYTES);
      if (!head) return tags;
      const type = head[0] & 0x1f;
      if (type !== FLV_TAG_AUDIO && type !== FLV_TAG_VIDEO && type !== FLV_TAG_SCRIPT) {
        throw new FlvFormatError(`FLV framing lost (tag type ${head[0]})`);
      }
      const dataSize = head.readUIntBE(1, 3);
      const size = TAG_HEADER_BYTES + dataSize + PREVIOUS_TAG_SIZE_BYTES;
      if (this.#buffered < size) return tags;
      const bytes = this.#take(size);
      if (bytes.readUInt32BE(TAG_HEADER_BYTES + dataSize) !== TAG_HEADER_BYTES + dataSize) {
        throw new FlvFormatError('FLV framing lost (PreviousTagSize mismatch)');
      }
      const timestamp = (bytes.readUIntBE(4, 3) | (bytes[7] << 24)) >>> 0;
      tags.push({ type, kind: classifyTag(bytes), timestamp, bytes });
    }
  }

  /** The first n buffered bytes without consuming them (n is a header's size: small). */
  #peek(n: number): Buffer | undefined {
    if (this.#buffered < n) return undefined;
    return this.#chunks[0].length >= n ? this.#chunks[0] : this.#copy(n, false);
  }

  /** The first n buffered bytes, consumed, in a buffer of their own. */
  #take(n: number): Buffer {
    return this.#copy(n, true);
  }

  #copy(n: number, consume: boolean): Buffer {
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    let index = 0;
    while (filled < n) {
      const chunk = this.#chunks[index];
      const part = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, part);
      filled += part;
      if (!consume) index++;
      else if (part === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(part);
    }
    if (consume) this.#buffered -= n;
    return out;
  }
}
