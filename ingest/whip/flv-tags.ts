// Splits an FLV byte stream (as ffmpeg writes it) into its header and whole tags, and reads
// the few things a feed needs to know about a tag. Pure byte handling: no I/O here.

export const FLV_TAG_AUDIO = 8;
export const FLV_TAG_VIDEO = 9;
export const FLV_TAG_SCRIPT = 18;

const FLV_HEADER_BYTES = 9;
const PREVIOUS_TAG_SIZE_BYTES = 4;
const TAG_HEADER_BYTES = 11;
/** Far above any real tag (a 4K keyframe is a few MiB): a bigger size means a corrupt stream. */
const MAX_TAG_DATA_BYTES = 32 * 1024 * 1024;

export interface FlvTag {
  type: number;
  /** Milliseconds, with the extended byte. */
  timestamp: number;
  /** The whole tag as it goes on the wire: 11-byte header, data, 4-byte previous-tag size. */
  bytes: Buffer;
}

/** The FLV header and the zero PreviousTagSize0 that follows it: what a reader must see first. */
export interface FlvHeader {
  bytes: Buffer;
  hasAudio: boolean;
  hasVideo: boolean;
}

export class FlvFormatError extends Error {}

/** Incremental splitter: push chunks as they come, get back every tag they complete. */
export class FlvTagReader {
  #pending: Buffer = Buffer.alloc(0);
  #header: FlvHeader | undefined;

  get header(): FlvHeader | undefined { return this.#header; }

  /** Returns the tags completed by this chunk; the header (once) is available as `header`. */
  push(chunk: Buffer): FlvTag[] {
    this.#pending = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    const tags: FlvTag[] = [];
    let offset = 0;
    if (!this.#header) {
      if (this.#pending.length < FLV_HEADER_BYTES) return tags;
      if (this.#pending.toString('latin1', 0, 3) !== 'FLV') throw new FlvFormatError('not an FLV stream');
      const dataOffset = this.#pending.readUInt32BE(5);
      const headerEnd = dataOffset + PREVIOUS_TAG_SIZE_BYTES;
      if (dataOffset < FLV_HEADER_BYTES || dataOffset > 1024) throw new FlvFormatError(`bad FLV header size ${dataOffset}`);
      if (this.#pending.length < headerEnd) return tags;
      const flags = this.#pending[4];
      this.#header = {
        bytes: Buffer.from(this.#pending.subarray(0, headerEnd)),
        hasAudio: (flags & 0x04) !== 0,
        hasVideo: (flags & 0x01) !== 0,
      };
      offset = headerEnd;
    }
    while (this.#pending.length - offset >= TAG_HEADER_BYTES) {
      const dataSize = this.#pending.readUIntBE(offset + 1, 3);
      if (dataSize > MAX_TAG_DATA_BYTES) throw new FlvFormatError(`FLV tag of ${dataSize} bytes`);
      const end = offset + TAG_HEADER_BYTES + dataSize + PREVIOUS_TAG_SIZE_BYTES;
      if (this.#pending.length < end) break;
      const type = this.#pending[offset] & 0x1f;
      const timestamp = (this.#pending.readUIntBE(offset + 4, 3) | (this.#pending[offset + 7] << 24)) >>> 0;
      // Copy out: the pending buffer is reused, and a tag may live on in a GOP cache.
      tags.push({ type, timestamp, bytes: Buffer.from(this.#pending.subarray(offset, end)) });
      offset = end;
    }
    this.#pending = offset === this.#pending.length ? Buffer.alloc(0) : this.#pending.subarray(offset);
    return tags;
  }
}

function tagData(tag: FlvTag): Buffer {
  return tag.bytes.subarray(TAG_HEADER_BYTES, tag.bytes.length - PREVIOUS_TAG_SIZE_BYTES);
}

/** A video tag that holds a keyframe (frame type 1), codec header or not. */
export function isVideoKeyframe(tag: FlvTag): boolean {
  const data = tagData(tag);
  return tag.type === FLV_TAG_VIDEO && data.length > 0 && (data[0] >> 4) === 1;
}

/** The AVC decoder configuration (SPS/PPS): AVCPacketType 0. */
export function isVideoSequenceHeader(tag: FlvTag): boolean {
  const data = tagData(tag);
  return tag.type === FLV_TAG_VIDEO && data.length > 1 && (data[0] & 0x0f) === 7 && data[1] === 0;
}

/** The AAC AudioSpecificConfig: sound format 10, AACPacketType 0. */
export function isAudioSequenceHeader(tag: FlvTag): boolean {
  const data = tagData(tag);
  return tag.type === FLV_TAG_AUDIO && data.length > 1 && (data[0] >> 4) === 10 && data[1] === 0;
}

export function isMetadata(tag: FlvTag): boolean {
  return tag.type === FLV_TAG_SCRIPT && tagData(tag).includes('onMetaData', 0, 'latin1');
}

/** Reads one numeric property (AMF0 number) of an onMetaData tag, such as width or height. */
export function metadataNumber(tag: FlvTag, name: string): number | undefined {
  const data = tagData(tag);
  const key = Buffer.alloc(2 + name.length + 1);
  key.writeUInt16BE(name.length, 0);
  key.write(name, 2, 'latin1');
  key[key.length - 1] = 0; // AMF0 type marker: number
  const at = data.indexOf(key);
  if (at < 0 || at + key.length + 8 > data.length) return undefined;
  const value = data.readDoubleBE(at + key.length);
  return Number.isFinite(value) ? value : undefined;
}
