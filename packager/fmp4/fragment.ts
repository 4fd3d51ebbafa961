// One movie fragment (moof + mdat): its bytes and, per track, the decode time, duration and
// whether it opens on a sync sample. That is all an HLS packager needs to cut parts and segments.
import { ByteReader } from './byte-reader.ts';
import { childrenOf, requireChild, rootRange, type BoxRange } from './child-boxes.ts';
import { asParseError, Fmp4ParseError } from './errors.ts';
import { concatBytes, type InitSegment, type TrackDefaults, type TrackInfo } from './init-segment.ts';

export interface TrackFragment {
  trackId: number;
  /** tfdt baseMediaDecodeTime, in the track's timescale. */
  baseDecodeTime: number;
  /** Sum of the sample durations, in the track's timescale. */
  duration: number;
  sampleCount: number;
  startsWithSyncSample: boolean;
}

export interface Fragment {
  /** moof + mdat: a self-contained media resource once the init segment is known. */
  bytes: Uint8Array;
  /** mfhd sequence number. */
  sequenceNumber: number;
  tracks: TrackFragment[];
  /** The video track opens on a sync sample (always true for a stream without video). */
  startsWithKeyframe: boolean;
}

/** ISO/IEC 14496-12 §8.8.3.1: sample_is_non_sync_sample. */
const SAMPLE_IS_NON_SYNC = 0x00010000;

const TFHD_BASE_DATA_OFFSET = 0x000001;
const TFHD_SAMPLE_DESCRIPTION_INDEX = 0x000002;
const TFHD_DEFAULT_DURATION = 0x000008;
const TFHD_DEFAULT_SIZE = 0x000010;
const TFHD_DEFAULT_FLAGS = 0x000020;

const TRUN_DATA_OFFSET = 0x000001;
const TRUN_FIRST_SAMPLE_FLAGS = 0x000004;
const TRUN_SAMPLE_DURATION = 0x000100;
const TRUN_SAMPLE_SIZE = 0x000200;
const TRUN_SAMPLE_FLAGS = 0x000400;
const TRUN_COMPOSITION_OFFSET = 0x000800;

export function parseFragment(moof: Uint8Array, mdat: Uint8Array, init: InitSegment): Fragment {
  return asParseError('moof', () => {
    const root = rootRange(moof);
    if (root.type !== 'moof') throw new Fmp4ParseError(`expected 'moof', got '${root.type}'`);
    if (rootRange(mdat).type !== 'mdat') throw new Fmp4ParseError("a 'moof' must be followed by its 'mdat'");
    const children = childrenOf(moof, root);
    const sequenceNumber = readSequenceNumber(moof, children);
    const tracks = children.filter((child) => child.type === 'traf').map((traf) => readTrackFragment(moof, traf, init));
    return { bytes: concatBytes([moof, mdat]), sequenceNumber, tracks, startsWithKeyframe: startsWithKeyframe(tracks, init) };
  });
}

function startsWithKeyframe(tracks: TrackFragment[], init: InitSegment): boolean {
  const video = init.tracks.find((track) => track.kind === 'video');
  if (!video) return true;
  return tracks.find((track) => track.trackId === video.id)?.startsWithSyncSample ?? false;
}

function readSequenceNumber(moof: Uint8Array, children: BoxRange[]): number {
  const mfhd = children.find((child) => child.type === 'mfhd');
  if (!mfhd) return 0;
  const reader = new ByteReader(moof, mfhd.payloadStart, mfhd.end, 'mfhd');
  reader.versionAndFlags();
  return reader.uint32();
}

interface FragmentHeader {
  trackId: number;
  defaultDuration: number;
  defaultFlags: number;
}

function readTrackFragment(moof: Uint8Array, traf: BoxRange, init: InitSegment): TrackFragment {
  const header = readFragmentHeader(moof, requireChild(moof, traf, 'tfhd'), init);
  const tfdt = childrenOf(moof, traf).find((child) => child.type === 'tfdt');
  if (!tfdt) throw new Fmp4ParseError(`traf of track ${header.trackId} has no 'tfdt' (ffmpeg needs -movflags +dash or +default_base_moof)`);
  const runs = childrenOf(moof, traf).filter((child) => child.type === 'trun').map((trun) => readRun(moof, trun, header));
  return {
    trackId: header.trackId,
    baseDecodeTime: readDecodeTime(moof, tfdt),
    duration: runs.reduce((total, run) => total + run.duration, 0),
    sampleCount: runs.reduce((total, run) => total + run.sampleCount, 0),
    startsWithSyncSample: runs.length > 0 && (runs[0].firstSampleFlags & SAMPLE_IS_NON_SYNC) === 0,
  };
}

function readFragmentHeader(moof: Uint8Array, tfhd: BoxRange, init: InitSegment): FragmentHeader {
  const reader = new ByteReader(moof, tfhd.payloadStart, tfhd.end, 'tfhd');
  const { flags } = reader.versionAndFlags();
  const trackId = reader.uint32();
  const track = findTrack(init, trackId);
  if (flags & TFHD_BASE_DATA_OFFSET) {
    // An absolute file offset would point elsewhere once the fragment is served on its own.
    throw new Fmp4ParseError(`tfhd of track ${trackId} uses an absolute base-data-offset; ffmpeg needs -movflags +default_base_moof`);
  }
  if (flags & TFHD_SAMPLE_DESCRIPTION_INDEX) reader.skip(4);
  const defaults: TrackDefaults = track.defaults;
  const defaultDuration = flags & TFHD_DEFAULT_DURATION ? reader.uint32() : defaults.sampleDuration;
  if (flags & TFHD_DEFAULT_SIZE) reader.skip(4);
  const defaultFlags = flags & TFHD_DEFAULT_FLAGS ? reader.uint32() : defaults.sampleFlags;
  return { trackId, defaultDuration, defaultFlags };
}

function findTrack(init: InitSegment, trackId: number): TrackInfo {
  const track = init.tracks.find((candidate) => candidate.id === trackId);
  if (!track) throw new Fmp4ParseError(`fragment refers to track ${trackId}, which the init segment does not declare`);
  return track;
}

function readDecodeTime(moof: Uint8Array, tfdt: BoxRange): number {
  const reader = new ByteReader(moof, tfdt.payloadStart, tfdt.end, 'tfdt');
  const { version } = reader.versionAndFlags();
  return version === 1 ? reader.uint64() : reader.uint32();
}

interface Run {
  sampleCount: number;
  duration: number;
  firstSampleFlags: number;
}

function readRun(moof: Uint8Array, trun: BoxRange, header: FragmentHeader): Run {
  const reader = new ByteReader(moof, trun.payloadStart, trun.end, 'trun');
  const { flags } = reader.versionAndFlags();
  const sampleCount = reader.uint32();
  if (flags & TRUN_DATA_OFFSET) reader.skip(4);
  const firstSampleFlagsField = flags & TRUN_FIRST_SAMPLE_FLAGS ? reader.uint32() : undefined;
  const fields = [TRUN_SAMPLE_DURATION, TRUN_SAMPLE_SIZE, TRUN_SAMPLE_FLAGS, TRUN_COMPOSITION_OFFSET].filter((bit) => flags & bit);
  // Check before looping: a corrupt count must not spin for four billion iterations.
  if (sampleCount * fields.length * 4 > reader.remaining) {
    throw new Fmp4ParseError(`trun: ${sampleCount} samples do not fit in its ${reader.remaining} remaining bytes`);
  }
  if (fields.length === 0) {
    return { sampleCount, duration: sampleCount * header.defaultDuration, firstSampleFlags: firstSampleFlagsField ?? header.defaultFlags };
  }
  let duration = 0;
  let firstSampleFlags = firstSampleFlagsField ?? header.defaultFlags;
  for (let sample = 0; sample < sampleCount; sample++) {
    duration += flags & TRUN_SAMPLE_DURATION ? reader.uint32() : header.defaultDuration;
    if (flags & TRUN_SAMPLE_SIZE) reader.skip(4);
    if (flags & TRUN_SAMPLE_FLAGS) {
      const sampleFlags = reader.uint32();
      if (sample === 0 && firstSampleFlagsField === undefined) firstSampleFlags = sampleFlags;
    }
    if (flags & TRUN_COMPOSITION_OFFSET) reader.skip(4);
  }
  return { sampleCount, duration, firstSampleFlags };
}
