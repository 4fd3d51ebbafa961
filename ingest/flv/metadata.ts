// Reads the numbers, booleans and strings of an FLV onMetaData script tag (AMF0), which is where ffmpeg's
// FLV muxer states the video size. Only the value types ffmpeg writes are understood; reading
// stops quietly at anything else, keeping what was found so far.
import { TAG_HEADER_BYTES } from './tag-reader.ts';

const AMF_NUMBER = 0x00;
const AMF_BOOLEAN = 0x01;
const AMF_STRING = 0x02;
const AMF_OBJECT = 0x03;
const AMF_NULL = 0x05;
const AMF_UNDEFINED = 0x06;
const AMF_ECMA_ARRAY = 0x08;
const AMF_OBJECT_END = 0x09;

export type MetadataValues = Record<string, number | boolean | string>;

/** The top-level properties of onMetaData in a whole FLV script tag; undefined if it is another script. */
export function readOnMetaData(tag: Buffer): MetadataValues | undefined {
  const body = tag.subarray(TAG_HEADER_BYTES, TAG_HEADER_BYTES + tag.readUIntBE(1, 3));
  if (body[0] !== AMF_STRING || body.length < 3) return undefined;
  const nameLength = body.readUInt16BE(1);
  if (body.toString('utf8', 3, 3 + nameLength) !== 'onMetaData') return undefined;
  let offset = 3 + nameLength;
  const values: MetadataValues = {};
  if (body[offset] === AMF_ECMA_ARRAY) offset += 5;
  else if (body[offset] === AMF_OBJECT) offset += 1;
  else return values;
  try {
    while (offset + 3 <= body.length) {
      const keyLength = body.readUInt16BE(offset);
      const key = body.toString('utf8', offset + 2, offset + 2 + keyLength);
      offset += 2 + keyLength;
      const type = body[offset];
      if (keyLength === 0 && type === AMF_OBJECT_END) break;
      offset += 1;
      if (type === AMF_NUMBER) {
        values[key] = body.readDoubleBE(offset);
        offset += 8;
      } else if (type === AMF_BOOLEAN) {
        values[key] = body[offset] !== 0;
        offset += 1;
      } else if (type === AMF_STRING) {
        const length = body.readUInt16BE(offset);
        values[key] = body.toString('utf8', offset + 2, offset + 2 + length);
        offset += 2 + length;
      } else if (type !== AMF_NULL && type !== AMF_UNDEFINED) {
        break;
      }
    }
  } catch {
    // A truncated tag: keep what was read.
  }
  return values;
}
