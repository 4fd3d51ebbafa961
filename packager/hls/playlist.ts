// Writes a media playlist (RFC 8216bis, with the low-latency extensions when enabled) from a
// snapshot of one rendition. Pure: the same snapshot always gives the same text.
import type { OpenSegment, PartInfo, SegmentInfo } from './types.ts';
import { initUri, partUri, segmentUri, siblingPlaylistUri } from './uris.ts';

export interface MediaPlaylistInput {
  lowLatency: boolean;
  /** EXT-X-TARGETDURATION, whole seconds: at least every segment's duration rounded (§4.4.3.1). */
  targetDurationSeconds: number;
  /** EXT-X-PART-INF PART-TARGET: at least every part's duration. */
  partTargetSeconds: number;
  /** Requested hold-backs; raised to the spec's minimums here. */
  partHoldBackSeconds: number;
  holdBackSeconds: number;
  /** Complete segments to list, oldest first. */
  segments: readonly SegmentInfo[];
  /** The segment still receiving parts (LL mode lists its parts). */
  openSegment: Pick<OpenSegment, 'msn' | 'discontinuity' | 'discontinuitySequence' | 'initVersion' | 'programDateTimeMs'> & { parts: readonly PartInfo[] } | undefined;
  /** Number of the part that comes next: EXT-X-PRELOAD-HINT. */
  nextPartNumber: number;
  ended: boolean;
}

export interface RenditionReport {
  /** The sibling rendition's index: its playlist is `../<index>/index.m3u8`. */
  index: number;
  lastMsn: number;
  lastPart?: number;
}

export interface MediaPlaylistOptions {
  /** `_HLS_skip=YES|v2`: a delta update, when the playlist is long enough to skip anything. */
  deltaUpdate?: boolean;
  /** Sibling renditions' positions (LL mode only). */
  renditionReports?: readonly RenditionReport[];
}

/** Delta updates may leave out what is older than this many target durations (§4.4.3.8: at least 6). */
const SKIP_BOUNDARY_TARGETS = 6;
/** §4.4.3.8: PART-HOLD-BACK SHOULD be at least three part targets; HOLD-BACK at least three target durations. */
const MIN_HOLD_BACK_TARGETS = 3;
/** §4.4.4.9: parts SHOULD leave the playlist once over three target durations from its end. */
const MAX_SEGMENTS_WITH_PARTS = 3;

export function writeMediaPlaylist(input: MediaPlaylistInput, options: MediaPlaylistOptions = {}): string {
  const lines = ['#EXTM3U', ...headerLines(input)];
  const skipped = input.lowLatency && options.deltaUpdate ? skippableCount(input) : 0;
  if (skipped > 0) lines.push(`#EXT-X-SKIP:SKIPPED-SEGMENTS=${skipped}`);
  lines.push(...segmentLines(input, skipped));
  if (input.lowLatency && !input.ended) {
    lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${partUri(input.nextPartNumber)}"`);
  }
  if (input.lowLatency) lines.push(...(options.renditionReports ?? []).map(reportLine));
  if (input.ended) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/** HOLD-BACK and PART-HOLD-BACK as advertised: the caller's values raised to the spec's minimums. */
function effectiveHoldBacks(input: Pick<MediaPlaylistInput, 'targetDurationSeconds' | 'partTargetSeconds' | 'holdBackSeconds' | 'partHoldBackSeconds'>): { holdBack: number; partHoldBack: number } {
  return {
    holdBack: Math.max(input.holdBackSeconds, MIN_HOLD_BACK_TARGETS * input.targetDurationSeconds),
    partHoldBack: Math.max(input.partHoldBackSeconds, MIN_HOLD_BACK_TARGETS * ceilToMillis(input.partTargetSeconds)),
  };
}

function headerLines(input: MediaPlaylistInput): string[] {
  const first = input.segments[0] ?? input.openSegment;
  // Version 9 for EXT-X-SKIP and the LL tags; a plain playlist needs only 6 (EXT-X-MAP in a
  // regular playlist), and asking less keeps older players happy in high-latency mode.
  const lines = [`#EXT-X-VERSION:${input.lowLatency ? 9 : 6}`, `#EXT-X-TARGETDURATION:${input.targetDurationSeconds}`];
  if (input.lowLatency) {
    const { holdBack, partHoldBack } = effectiveHoldBacks(input);
    const partTarget = ceilToMillis(input.partTargetSeconds);
    const canSkipUntil = SKIP_BOUNDARY_TARGETS * input.targetDurationSeconds;
    lines.push(
      `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${decimal(partHoldBack, 3)},HOLD-BACK=${decimal(holdBack, 3)},CAN-SKIP-UNTIL=${decimal(canSkipUntil, 1)}`,
      `#EXT-X-PART-INF:PART-TARGET=${decimal(partTarget, 3)}`,
    );
  }
  lines.push(`#EXT-X-MEDIA-SEQUENCE:${first?.msn ?? 0}`);
  lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${first ? discontinuitySequenceBefore(first) : 0}`);
  return lines;
}

/**
 * The header counts the discontinuities of segments already gone (§6.2.2: incremented when a
 * segment with EXT-X-DISCONTINUITY leaves), so a first segment still carrying the tag adds its
 * own, and every listed segment keeps the same number from one reload to the next.
 */
function discontinuitySequenceBefore(first: { discontinuity: boolean; discontinuitySequence: number }): number {
  return first.discontinuitySequence - (first.discontinuity ? 1 : 0);
}

/**
 * How many of the oldest segments a delta update replaces with EXT-X-SKIP: those that end before
 * the skip boundary. It stops before a segment with EXT-X-DISCONTINUITY, whose tag the client must
 * see to keep its discontinuity numbering right.
 */
function skippableCount(input: MediaPlaylistInput): number {
  const total = playlistDuration(input);
  const boundary = total - SKIP_BOUNDARY_TARGETS * input.targetDurationSeconds;
  let elapsed = 0;
  let count = 0;
  for (const segment of input.segments) {
    elapsed += segment.durationSeconds;
    if (elapsed > boundary || segment.discontinuity) break;
    count++;
  }
  return count;
}

function playlistDuration(input: MediaPlaylistInput): number {
  const complete = input.segments.reduce((total, segment) => total + segment.durationSeconds, 0);
  return complete + (input.openSegment?.parts ?? []).reduce((total, part) => total + part.durationSeconds, 0);
}

type ListedSegment = Pick<SegmentInfo, 'msn' | 'discontinuity' | 'initVersion' | 'programDateTimeMs'> & {
  parts: readonly PartInfo[];
  /** Absent for the open segment, which has parts and no URI yet. */
  durationSeconds?: number;
};

function segmentLines(input: MediaPlaylistInput, skipped: number): string[] {
  const listed: ListedSegment[] = [...input.segments.slice(skipped)];
  // The open segment has no URI yet: only its parts can be listed, so plain mode leaves it out.
  if (input.lowLatency && input.openSegment && input.openSegment.parts.length > 0) listed.push(input.openSegment);
  const firstWithParts = input.lowLatency ? firstSegmentWithParts(listed, input) : listed.length;
  const lines: string[] = [];
  let mappedVersion: number | undefined;
  listed.forEach((segment, position) => {
    if (segment.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (segment.initVersion !== mappedVersion) lines.push(`#EXT-X-MAP:URI="${initUri(segment.initVersion)}"`);
    mappedVersion = segment.initVersion;
    if (segment.programDateTimeMs !== undefined) lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(segment.programDateTimeMs).toISOString()}`);
    if (position >= firstWithParts) lines.push(...segment.parts.map(partLine));
    if (segment.durationSeconds !== undefined) lines.push(`#EXTINF:${decimal(segment.durationSeconds, 5)},`, segmentUri(segment.msn));
  });
  return lines;
}

/**
 * Parts are listed for the newest segments only: enough to cover PART-HOLD-BACK plus a target
 * duration of margin for a player joining, and never more than three segments (§4.4.4.9).
 */
function firstSegmentWithParts(listed: readonly ListedSegment[], input: MediaPlaylistInput): number {
  const wanted = effectiveHoldBacks(input).partHoldBack + input.targetDurationSeconds;
  // With no open segment listed, the preload hint stands for the next one and counts among the three.
  const hintOnlyTail = !input.ended && !(input.openSegment && input.openSegment.parts.length > 0);
  const limit = MAX_SEGMENTS_WITH_PARTS - (hintOnlyTail ? 1 : 0);
  let covered = 0;
  let first = listed.length;
  while (first > 0 && listed.length - first < limit && covered < wanted) {
    first--;
    covered += listed[first].parts.reduce((total, part) => total + part.durationSeconds, 0);
  }
  return first;
}

function partLine(part: PartInfo): string {
  return `#EXT-X-PART:DURATION=${decimal(part.durationSeconds, 5)},URI="${partUri(part.number)}"${part.independent ? ',INDEPENDENT=YES' : ''}`;
}

function reportLine(report: RenditionReport): string {
  const lastPart = report.lastPart === undefined ? '' : `,LAST-PART=${report.lastPart}`;
  return `#EXT-X-RENDITION-REPORT:URI="${siblingPlaylistUri(report.index)}",LAST-MSN=${report.lastMsn}${lastPart}`;
}

/** PART-TARGET is an upper bound: round it up, never down below the longest part. */
function ceilToMillis(seconds: number): number {
  return Math.ceil(Math.round(seconds * 1e6) / 1000) / 1000;
}

/** Fixed decimals without a float's tail ("2.000", never "2.0000000001"). */
function decimal(value: number, digits: number): string {
  return value.toFixed(digits);
}
