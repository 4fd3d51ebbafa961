// The units the HLS packager moves around: media chunks in, parts and segments out.

/** One fragment's worth of media, timed on the rendition's primary (video, else audio) track. */
export interface MediaChunk {
  /** moof + mdat. */
  bytes: Uint8Array;
  /** Media time of the first sample, in seconds since the input's time 0. */
  startSeconds: number;
  durationSeconds: number;
  /** Starts with a keyframe, so a player can start decoding here. */
  independent: boolean;
}

export interface PartInfo {
  /** Stream-wide part number: names the part's URI (`part-<number>.m4s`). */
  number: number;
  /** Media sequence number of the parent segment. */
  msn: number;
  /** Position in the parent segment: the spec's part index (`_HLS_part`). */
  index: number;
  startSeconds: number;
  durationSeconds: number;
  independent: boolean;
}

export interface Part extends PartInfo {
  bytes: Uint8Array;
}

interface SegmentHeader {
  msn: number;
  /** Carries EXT-X-DISCONTINUITY. */
  discontinuity: boolean;
  /** Discontinuity sequence number of this segment: discontinuities so far, its own included. */
  discontinuitySequence: number;
  /** Which init segment (EXT-X-MAP) decodes it. */
  initVersion: number;
  startSeconds: number;
  /** EXT-X-PROGRAM-DATE-TIME, epoch milliseconds; undefined when no wall-clock anchor is known. */
  programDateTimeMs: number | undefined;
}

/** The segment still receiving parts. */
export interface OpenSegment extends SegmentHeader {
  parts: Part[];
}

/** A complete segment as the playlist needs it (its bytes may live on disk by now). */
export interface SegmentInfo extends SegmentHeader {
  durationSeconds: number;
  independent: boolean;
  parts: PartInfo[];
}

/** A complete segment with its bytes; each part's bytes are a view into them. */
export interface Segment extends SegmentInfo {
  parts: Part[];
  bytes: Uint8Array;
}

/** Where a rendition stands, for a sibling's EXT-X-RENDITION-REPORT. */
export interface RenditionPosition {
  lastMsn: number;
  /** Index of the last part of `lastMsn`; absent in plain (non-LL) mode. */
  lastPart?: number;
}
