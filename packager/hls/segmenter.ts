// Cuts a rendition's media chunks into LL-HLS parts and segments and numbers them. Every chunk
// (one ffmpeg fragment) becomes a part; a segment closes when a keyframe part arrives and the
// segment has reached its target duration. Pure: no clock, no I/O.
import { concatBytes } from '../fmp4/init-segment.ts';
import type { MediaChunk, OpenSegment, Part, Segment } from './types.ts';

export interface SegmenterOptions {
  segmentTargetSeconds: number;
  /** The configured part duration (ffmpeg's -frag_duration); PART-TARGET never goes below it. */
  partTargetSeconds: number;
}

/** What the segment about to open needs from the caller. */
export interface SegmentContext {
  initVersion: number;
  /** Wall-clock epoch ms of media time 0, for EXT-X-PROGRAM-DATE-TIME. */
  anchorMs: number | undefined;
}

export interface AppendResult {
  part: Part;
  /** Segments this part's arrival completed, oldest first (usually none or one). */
  completed: Segment[];
}

/**
 * A keyframe forced at every segment target can land a frame or a timestamp rounding early;
 * without slack we would skip it and make a double-length segment.
 */
const KEYFRAME_JITTER_FRACTION = 0.1;
/**
 * A source without keyframes (or with a keyframe interval far above the target) must not grow a
 * segment, and the memory behind it, without bound: past this many targets we cut anyway.
 */
const MAX_SEGMENT_TARGETS = 4;
/** The same bound for timestamps that stop advancing: no real segment has this many parts. */
const MAX_PARTS_PER_SEGMENT = 256;
/**
 * §4.4.4.9: every part but a segment's last must last at least 85 % of PART-TARGET. ffmpeg cuts a
 * fragment that short only because a keyframe follows, so a short part past the segment target
 * is the segment's last: closing the segment right away keeps the open segment's listing valid
 * (a short part followed by the preload hint would not be) and completes the segment a part sooner.
 */
const SHORT_PART_FRACTION = 0.85;

export class Segmenter {
  readonly #targetSeconds: number;
  readonly #configuredPartSeconds: number;
  #longestPartSeconds = 0;
  #longestSegmentSeconds = 0;
  #open: OpenSegment | undefined;
  #nextMsn = 0;
  #nextPartNumber = 0;
  #discontinuitySequence = 0;
  #discontinuityPending = false;

  constructor(options: SegmenterOptions) {
    if (!(options.segmentTargetSeconds > 0)) throw new RangeError('segmentTargetSeconds must be positive');
    if (!(options.partTargetSeconds > 0)) throw new RangeError('partTargetSeconds must be positive');
    this.#targetSeconds = options.segmentTargetSeconds;
    this.#configuredPartSeconds = options.partTargetSeconds;
  }

  /**
   * PART-TARGET: the configured part duration, raised to the longest part seen. ffmpeg cuts a
   * fragment at the first packet past -frag_duration, so parts overshoot by up to a frame.
   */
  get partTargetSeconds(): number {
    return Math.max(this.#configuredPartSeconds, this.#longestPartSeconds);
  }

  /** EXT-X-TARGETDURATION: the configured target, raised if a segment ever ran longer (rounded, per §4.4.3.1). */
  get targetDurationSeconds(): number {
    return Math.max(Math.ceil(this.#targetSeconds), Math.round(this.#longestSegmentSeconds));
  }

  get openSegment(): OpenSegment | undefined { return this.#open; }
  /** The number the next part will get: the preload hint. */
  get nextPartNumber(): number { return this.#nextPartNumber; }
  get nextMsn(): number { return this.#nextMsn; }
  get discontinuityPending(): boolean { return this.#discontinuityPending; }

  append(chunk: MediaChunk, context: SegmentContext): AppendResult {
    const completed: Segment[] = [];
    if (this.#shouldCutBefore(chunk, context)) completed.push(...this.#closeAll());
    const open = this.#open ?? this.#openSegment(chunk, context);
    const part: Part = {
      number: this.#nextPartNumber++,
      msn: open.msn,
      index: open.parts.length,
      startSeconds: chunk.startSeconds,
      durationSeconds: chunk.durationSeconds,
      independent: chunk.independent,
      bytes: chunk.bytes,
    };
    open.parts.push(part);
    this.#longestPartSeconds = Math.max(this.#longestPartSeconds, part.durationSeconds);
    if (this.#isLastPart(open, part)) completed.push(...this.#closeAll());
    return { part, completed };
  }

  /**
   * The next segment carries EXT-X-DISCONTINUITY and opens at the next keyframe, whatever the
   * current one's length. Ignored before the first segment: nothing precedes it to break from.
   */
  requestDiscontinuity(): void {
    if (this.#nextMsn > 0) this.#discontinuityPending = true;
  }

  /** Closes the open segment now (input restart, end of stream); undefined if none is open. */
  close(): Segment | undefined {
    const open = this.#open;
    if (!open) return undefined;
    this.#open = undefined;
    const segment = completeSegment(open);
    this.#longestSegmentSeconds = Math.max(this.#longestSegmentSeconds, segment.durationSeconds);
    return segment;
  }

  #closeAll(): Segment[] {
    const closed = this.close();
    return closed ? [closed] : [];
  }

  #shouldCutBefore(chunk: MediaChunk, context: SegmentContext): boolean {
    const open = this.#open;
    if (!open) return false;
    // One segment, one EXT-X-MAP.
    if (context.initVersion !== open.initVersion) return true;
    const elapsed = elapsedSeconds(open);
    if (elapsed >= this.#targetSeconds * MAX_SEGMENT_TARGETS || open.parts.length >= MAX_PARTS_PER_SEGMENT) return true;
    if (!chunk.independent) return false;
    return this.#discontinuityPending || this.#reachedTarget(elapsed);
  }

  #isLastPart(open: OpenSegment, part: Part): boolean {
    return part.durationSeconds < SHORT_PART_FRACTION * this.partTargetSeconds && this.#reachedTarget(elapsedSeconds(open));
  }

  #reachedTarget(elapsedSeconds: number): boolean {
    return elapsedSeconds >= this.#targetSeconds * (1 - KEYFRAME_JITTER_FRACTION);
  }

  #openSegment(chunk: MediaChunk, context: SegmentContext): OpenSegment {
    const discontinuity = this.#discontinuityPending;
    this.#discontinuityPending = false;
    if (discontinuity) this.#discontinuitySequence++;
    this.#open = {
      msn: this.#nextMsn++,
      discontinuity,
      discontinuitySequence: this.#discontinuitySequence,
      initVersion: context.initVersion,
      startSeconds: chunk.startSeconds,
      programDateTimeMs: context.anchorMs === undefined ? undefined : context.anchorMs + chunk.startSeconds * 1000,
      parts: [],
    };
    return this.#open;
  }
}

function elapsedSeconds(segment: OpenSegment): number {
  return segment.parts.reduce((total, part) => total + part.durationSeconds, 0);
}

/** Joins the parts' bytes once and points each part at its slice, so nothing is held twice. */
function completeSegment(open: OpenSegment): Segment {
  const bytes = concatBytes(open.parts.map((part) => part.bytes));
  let offset = 0;
  const parts = open.parts.map((part) => {
    const view = bytes.subarray(offset, offset + part.bytes.byteLength);
    offset += part.bytes.byteLength;
    return { ...part, bytes: view };
  });
  return {
    ...open,
    parts,
    bytes,
    durationSeconds: elapsedSeconds(open),
    independent: parts[0]?.independent ?? false,
  };
}
