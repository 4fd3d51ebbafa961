// The init segment (ftyp + moov) of an fMP4 stream and what the packager needs from it:
// tracks, their timescales, picture size and codec strings, and the trex defaults that
// fragments may lean on.
import { ByteReader } from './byte-reader.ts';
import { childrenOf, findChild, findPath, requireChild, rootRange, type BoxRange } from './child-boxes.ts';
import { aacCodecString, avcCodecString } from './codec-string.ts';
import { asParseError, Fmp4ParseError } from './errors.ts';

export type TrackKind = 'video' | 'audio' | 'other';

/** Per-track fallbacks from moov/mvex/trex, used when a fragment's tfhd/trun leave a field out. */
export interface TrackDefaults {
  sampleDuration: number;
  sampleFlags: number;
}

export interface TrackInfo {
  id: number;
  kind: TrackKind;
  /** hdlr handler_type: 'vide', 'soun', ... */
  handler: string;
  /** mdhd: ticks per second of this track's decode times. */
  timescale: number;
  /** RFC 6381 codec string; the sample entry's four-character code when we know no better. */
  codec: string;
  width?: number;
  height?: number;
  defaults: TrackDefaults;
}

export interface InitSegment {
  /** ftyp + moov, ready to serve as the EXT-X-MAP resource. */
  bytes: Uint8Array;
  tracks: TrackInfo[];
}

/** Parses an init segment from its top-level boxes. `ftyp` is optional; `moov` is not. */
export function parseInitSegment(ftyp: Uint8Array | undefined, moov: Uint8Array): InitSegment {
  return asParseError('moov', () => {
    const root = rootRange(moov);
    if (root.type !== 'moov') throw new Fmp4ParseError(`expected 'moov', got '${root.type}'`);
    const defaults = readTrackDefaults(moov, root);
    const tracks = childrenOf(moov, root)
      .filter((child) => child.type === 'trak')
      .map((trak) => readTrack(moov, trak, defaults));
    if (tracks.length === 0) throw new Fmp4ParseError('moov has no tracks');
    return { bytes: ftyp ? concatBytes([ftyp, moov]) : moov, tracks };
  });
}

/** The CODECS attribute value of a variant: video first, then audio, as players expect. */
export function codecsOf(init: InitSegment): string {
  const order: Record<TrackKind, number> = { video: 0, audio: 1, other: 2 };
  return [...init.tracks]
    .filter((track) => track.kind !== 'other')
    .sort((a, b) => order[a.kind] - order[b.kind])
    .map((track) => track.codec)
    .join(',');
}

/** The first video track, else the first audio track: the one whose clock times parts and segments. */
export function primaryTrack(init: InitSegment): TrackInfo {
  return init.tracks.find((track) => track.kind === 'video') ?? init.tracks.find((track) => track.kind === 'audio') ?? init.tracks[0];
}

export function concatBytes(pieces: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(pieces.reduce((total, piece) => total + piece.byteLength, 0));
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.byteLength;
  }
  return out;
}

function readTrack(moov: Uint8Array, trak: BoxRange, defaults: Map<number, TrackDefaults>): TrackInfo {
  const header = readTrackHeader(moov, requireChild(moov, trak, 'tkhd'));
  const mdia = requireChild(moov, trak, 'mdia');
  const handler = readHandler(moov, requireChild(moov, mdia, 'hdlr'));
  const kind: TrackKind = handler === 'vide' ? 'video' : handler === 'soun' ? 'audio' : 'other';
  const sampleEntry = readSampleEntry(moov, mdia, kind);
  return {
    id: header.trackId,
    kind,
    handler,
    timescale: readTimescale(moov, requireChild(moov, mdia, 'mdhd')),
    codec: sampleEntry.codec,
    // tkhd holds the display size (after pixel aspect ratio); the sample entry the coded size.
    width: kind === 'video' ? header.width || sampleEntry.width : undefined,
    height: kind === 'video' ? header.height || sampleEntry.height : undefined,
    defaults: defaults.get(header.trackId) ?? { sampleDuration: 0, sampleFlags: 0 },
  };
}

function readTrackHeader(moov: Uint8Array, tkhd: BoxRange): { trackId: number; width: number; height: number } {
  const reader = new ByteReader(moov, tkhd.payloadStart, tkhd.end, 'tkhd');
  const { version } = reader.versionAndFlags();
  reader.skip(version === 1 ? 16 : 8); // creation and modification times
  const trackId = reader.uint32();
  reader.skip(4 + (version === 1 ? 8 : 4)); // reserved, duration
  reader.skip(8 + 2 + 2 + 2 + 2 + 36); // reserved, layer, alternate group, volume, reserved, matrix
  const width = reader.uint32() / 65536;
  const height = reader.uint32() / 65536;
  return { trackId, width: Math.round(width), height: Math.round(height) };
}

function readHandler(moov: Uint8Array, hdlr: BoxRange): string {
  const reader = new ByteReader(moov, hdlr.payloadStart, hdlr.end, 'hdlr');
  reader.skip(4 + 4); // version/flags, pre_defined
  const start = reader.offset;
  reader.skip(4);
  return String.fromCharCode(...moov.subarray(start, start + 4));
}

function readTimescale(moov: Uint8Array, mdhd: BoxRange): number {
  const reader = new ByteReader(moov, mdhd.payloadStart, mdhd.end, 'mdhd');
  const { version } = reader.versionAndFlags();
  reader.skip(version === 1 ? 16 : 8);
  const timescale = reader.uint32();
  if (timescale === 0) throw new Fmp4ParseError('mdhd: timescale is 0');
  return timescale;
}

const VISUAL_SAMPLE_ENTRY_FIELDS = 78;
const AUDIO_SAMPLE_ENTRY_FIELDS = 28;

function readSampleEntry(moov: Uint8Array, mdia: BoxRange, kind: TrackKind): { codec: string; width?: number; height?: number } {
  const stsd = findPath(moov, mdia, ['minf', 'stbl', 'stsd']);
  if (!stsd) throw new Fmp4ParseError("trak has no 'stsd' box");
  // stsd is a full box (4 bytes) with an entry count (4 bytes) before its sample entries.
  const entries = childrenOf(moov, { ...stsd, payloadStart: stsd.payloadStart + 8 });
  const entry = entries[0];
  if (!entry) throw new Fmp4ParseError('stsd has no sample entry');
  if (kind === 'video') return readVisualEntry(moov, entry);
  if (kind === 'audio') return { codec: audioCodec(moov, entry) };
  return { codec: entry.type };
}

function readVisualEntry(moov: Uint8Array, entry: BoxRange): { codec: string; width: number; height: number } {
  const reader = new ByteReader(moov, entry.payloadStart, entry.end, entry.type);
  reader.skip(8 + 16); // reserved + data reference index, pre_defined + reserved
  const width = reader.uint16();
  const height = reader.uint16();
  const children = childrenOf(moov, { ...entry, payloadStart: entry.payloadStart + VISUAL_SAMPLE_ENTRY_FIELDS });
  const avcC = children.find((child) => child.type === 'avcC');
  const codec = avcC && (entry.type === 'avc1' || entry.type === 'avc3') ? avcCodecString(entry.type, moov, avcC) : entry.type;
  return { codec, width, height };
}

function audioCodec(moov: Uint8Array, entry: BoxRange): string {
  if (entry.type !== 'mp4a') return AUDIO_CODEC_NAMES[entry.type] ?? entry.type;
  const children = childrenOf(moov, { ...entry, payloadStart: entry.payloadStart + AUDIO_SAMPLE_ENTRY_FIELDS });
  return aacCodecString(moov, children.find((child) => child.type === 'esds'));
}

const AUDIO_CODEC_NAMES: Record<string, string> = { Opus: 'opus', fLaC: 'flac', 'ac-3': 'ac-3', 'ec-3': 'ec-3' };

function readTrackDefaults(moov: Uint8Array, root: BoxRange): Map<number, TrackDefaults> {
  const defaults = new Map<number, TrackDefaults>();
  const mvex = findChild(moov, root, 'mvex');
  if (!mvex) return defaults;
  for (const trex of childrenOf(moov, mvex).filter((child) => child.type === 'trex')) {
    const reader = new ByteReader(moov, trex.payloadStart, trex.end, 'trex');
    reader.versionAndFlags();
    const trackId = reader.uint32();
    reader.skip(4); // default_sample_description_index
    const sampleDuration = reader.uint32();
    reader.skip(4); // default_sample_size
    defaults.set(trackId, { sampleDuration, sampleFlags: reader.uint32() });
  }
  return defaults;
}
