// RFC 6381 CODECS values from sample entries, as HLS master playlists and MSE need them.
import { ByteReader } from './byte-reader.ts';
import type { BoxRange } from './child-boxes.ts';
import { Fmp4ParseError } from './errors.ts';

/** What players assume for AAC when the esds cannot tell more: AAC-LC. */
const DEFAULT_AAC_CODEC = 'mp4a.40.2';

/** `avc1.PPCCLL`: profile, constraint flags and level from the AVCDecoderConfigurationRecord. */
export function avcCodecString(sampleEntryType: string, bytes: Uint8Array, avcC: BoxRange): string {
  const reader = new ByteReader(bytes, avcC.payloadStart, avcC.end, 'avcC');
  reader.skip(1); // configurationVersion
  const profile = reader.uint8();
  const constraints = reader.uint8();
  const level = reader.uint8();
  return `${sampleEntryType}.${hex2(profile)}${hex2(constraints)}${hex2(level)}`;
}

const ES_DESCRIPTOR = 0x03;
const DECODER_CONFIG_DESCRIPTOR = 0x04;
const DECODER_SPECIFIC_INFO = 0x05;
const MPEG4_AUDIO = 0x40;
const MPEG1_AUDIO = 0x6b;
const MPEG2_AUDIO = 0x69;
const AOT_ESCAPE = 31;

/**
 * `mp4a.40.<audio object type>` from the esds (ISO/IEC 14496-1 descriptors, then the first bits
 * of the AudioSpecificConfig). Falls back to AAC-LC when the descriptor is missing or odd: a
 * wrong-but-common codec string plays; a thrown error would lose the whole rendition.
 */
export function aacCodecString(bytes: Uint8Array, esds: BoxRange | undefined): string {
  if (!esds) return DEFAULT_AAC_CODEC;
  try {
    return readEsdsCodec(bytes, esds) ?? DEFAULT_AAC_CODEC;
  } catch (error) {
    if (error instanceof Fmp4ParseError) return DEFAULT_AAC_CODEC;
    throw error;
  }
}

function readEsdsCodec(bytes: Uint8Array, esds: BoxRange): string | undefined {
  const reader = new ByteReader(bytes, esds.payloadStart, esds.end, 'esds');
  reader.versionAndFlags();
  if (readDescriptorHeader(reader) !== ES_DESCRIPTOR) return undefined;
  reader.skip(2); // ES_ID
  const esFlags = reader.uint8();
  if (esFlags & 0x80) reader.skip(2); // dependsOn_ES_ID
  if (esFlags & 0x40) reader.skip(reader.uint8()); // URL
  if (esFlags & 0x20) reader.skip(2); // OCR_ES_Id
  if (readDescriptorHeader(reader) !== DECODER_CONFIG_DESCRIPTOR) return undefined;
  const objectType = reader.uint8();
  if (objectType === MPEG1_AUDIO || objectType === MPEG2_AUDIO) return 'mp4a.40.34';
  if (objectType !== MPEG4_AUDIO) return undefined;
  reader.skip(12); // stream type, buffer size, max and average bitrate
  if (readDescriptorHeader(reader) !== DECODER_SPECIFIC_INFO) return undefined;
  return `mp4a.40.${readAudioObjectType(reader)}`;
}

/** Returns the tag and consumes the variable-length size (up to four 7-bit groups). */
function readDescriptorHeader(reader: ByteReader): number {
  const tag = reader.uint8();
  for (let index = 0; index < 4; index++) {
    if ((reader.uint8() & 0x80) === 0) break;
  }
  return tag;
}

function readAudioObjectType(reader: ByteReader): number {
  const first = reader.uint8();
  const objectType = first >> 3;
  if (objectType !== AOT_ESCAPE) return objectType;
  const second = reader.uint8();
  return 32 + (((first & 0x07) << 3) | (second >> 5));
}

function hex2(value: number): string {
  return value.toString(16).padStart(2, '0');
}
