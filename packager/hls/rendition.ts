// The live state of one rendition: fMP4 bytes in; init segment, parts, segments and playlists
// out. It keeps the last segments in memory, hands every complete segment to a sink (which
// writes it to disk: DVR window, replay), and parks blocking requests until the media they
// wait for arrives. No filesystem, no timers besides the waiters' own timeouts.
import { Fmp4StreamParser } from '../fmp4/stream-parser.ts';
import type { Fragment } from '../fmp4/fragment.ts';
import { primaryTrack, type InitSegment } from '../fmp4/init-segment.ts';
import type { LatencyProfile } from './latency-profile.ts';
import { writeMediaPlaylist, type MediaPlaylistOptions, type MediaPlaylistInput } from './playlist.ts';
import { Segmenter } from './segmenter.ts';
import type { MediaChunk, Part, RenditionPosition, Segment, SegmentInfo } from './types.ts';
import { initUri } from './uris.ts';
import { Waiters, type WaitOptions } from './waiters.ts';

export interface InitRecord {
  version: number;
  /** `init-<version>.mp4`, relative to the media playlist. */
  uri: string;
  init: InitSegment;
}

/** Where complete media goes; the caller writes it to disk. Keep each call quick (queue the I/O). */
export interface RenditionSink {
  /** A new init segment, before any segment that needs it. */
  init?(record: InitRecord): void;
  /** A complete segment (`seg-<msn>.m4s`). */
  segment?(segment: Segment): void;
  /** Input that could not be parsed (the rendition then ignores input until restartInput), or a sink call that threw. */
  error?(error: Error): void;
}

export interface LiveRenditionOptions {
  profile: LatencyProfile;
  /** Complete segments listed in the playlist (default: the profile's). */
  playlistSegments?: number;
  /** Complete segments kept with their bytes (default: as many as are listed); older ones are served from disk. */
  memorySegments?: number;
  sink?: RenditionSink;
  /** Largest fMP4 box accepted (default 64 MiB). */
  maxBoxBytes?: number;
  /** Parked requests at most, per kind (blocking reloads, hinted parts); beyond, requests get 'busy'. */
  maxWaiters?: number;
  /** Wall clock in epoch ms; tests pass a fake. */
  now?: () => number;
}

/** How a blocking playlist request ends. HTTP: ready/ended → 200, too-far → 400, timeout/busy → 503. */
export type BlockOutcome = 'ready' | 'ended' | 'timeout' | 'too-far' | 'busy' | 'aborted';

/** How a wait for a (preload-hinted) part ends. HTTP: ready → 200, not-found → 404, timeout/busy → 503. */
export type PartOutcome =
  | { status: 'ready'; part: Part }
  | { status: 'not-found' | 'timeout' | 'busy' | 'aborted' };

export interface BlockTarget {
  msn: number;
  part?: number;
}

export interface RenditionStats {
  fragments: number;
  segments: number;
  inputErrors: number;
  sinkErrors: number;
  /** Input bytes ignored because the input had failed or the stream had ended. */
  droppedBytes: number;
  /** Requests parked right now. */
  waiting: number;
  timedOutWaits: number;
  refusedWaits: number;
}

const DEFAULT_MAX_WAITERS = 10_000;
/** §6.2.5.2: a server that cannot answer a blocking request within 3 target durations SHOULD answer 503. */
const BLOCK_TIMEOUT_TARGETS = 3;
/** §6.2.5.2: an _HLS_msn more than two beyond the last segment is a 400. */
const MAX_MSN_AHEAD = 2;

const BLOCK_FALLBACKS = { timeout: 'timeout', aborted: 'aborted', busy: 'busy' } as const;
const PART_FALLBACKS = { timeout: { status: 'timeout' }, aborted: { status: 'aborted' }, busy: { status: 'busy' } } as const;

export class LiveRendition {
  readonly profile: LatencyProfile;
  readonly #playlistSegments: number;
  readonly #memorySegments: number;
  readonly #sink: RenditionSink;
  readonly #maxBoxBytes: number | undefined;
  readonly #now: () => number;
  readonly #segmenter: Segmenter;
  readonly #blockWaiters: Waiters<BlockOutcome>;
  readonly #partWaiters: Waiters<PartOutcome>;
  #parser: Fmp4StreamParser;
  #inputFailed = false;
  #ended = false;
  #inits: InitRecord[] = [];
  #anchorMs: number | undefined;
  #listed: SegmentInfo[] = [];
  #inMemory: Segment[] = [];
  #counters = { fragments: 0, segments: 0, inputErrors: 0, sinkErrors: 0, droppedBytes: 0 };

  constructor(options: LiveRenditionOptions) {
    this.profile = options.profile;
    this.#playlistSegments = Math.max(1, options.playlistSegments ?? options.profile.playlistSegments);
    this.#memorySegments = Math.max(1, options.memorySegments ?? this.#playlistSegments);
    this.#sink = options.sink ?? {};
    this.#maxBoxBytes = options.maxBoxBytes;
    this.#now = options.now ?? Date.now;
    this.#segmenter = new Segmenter({ segmentTargetSeconds: options.profile.segmentSeconds, partTargetSeconds: options.profile.partSeconds });
    this.#blockWaiters = new Waiters(options.maxWaiters ?? DEFAULT_MAX_WAITERS);
    this.#partWaiters = new Waiters(options.maxWaiters ?? DEFAULT_MAX_WAITERS);
    this.#parser = new Fmp4StreamParser({ maxBoxBytes: this.#maxBoxBytes });
  }

  // ── input ────────────────────────────────────────────────────────────────────────────────

  /** fMP4 bytes from the transcoder, in chunks of any size. Never throws: bad input goes to sink.error. */
  push(bytes: Uint8Array): void {
    if (this.#ended || this.#inputFailed) {
      this.#counters.droppedBytes += bytes.byteLength;
      return;
    }
    try {
      for (const event of this.#parser.push(bytes)) {
        if (event.type === 'init') this.acceptInit(event.init);
        else this.acceptFragment(event.fragment);
      }
    } catch (error) {
      this.#inputFailed = true;
      this.#counters.inputErrors++;
      this.#report(error);
    }
  }

  /** An init segment parsed elsewhere (push does this itself). Identical bytes keep the current version. */
  acceptInit(init: InitSegment): void {
    const current = this.currentInit;
    if (current && sameBytes(current.init.bytes, init.bytes)) return;
    const version = current ? current.version + 1 : 0;
    const record: InitRecord = { version, uri: initUri(version), init };
    this.#inits.push(record);
    this.#callSink(() => this.#sink.init?.(record));
  }

  /** A fragment parsed elsewhere (push does this itself), timed on the primary track. */
  acceptFragment(fragment: Fragment): void {
    const init = this.currentInit?.init;
    if (!init) throw new Error('a fragment arrived before any init segment');
    this.#counters.fragments++;
    const primary = primaryTrack(init);
    const timing = fragment.tracks.find((track) => track.trackId === primary.id) ?? fragment.tracks[0];
    if (!timing) return;
    const timescale = init.tracks.find((track) => track.id === timing.trackId)?.timescale ?? primary.timescale;
    this.acceptChunk({
      bytes: fragment.bytes,
      startSeconds: timing.baseDecodeTime / timescale,
      durationSeconds: timing.duration / timescale,
      independent: fragment.startsWithKeyframe,
    });
  }

  /** The lowest-level input: one part's worth of media, already timed. */
  acceptChunk(chunk: MediaChunk): void {
    if (this.#ended) return;
    const init = this.currentInit;
    if (!init) throw new Error('media arrived before any init segment');
    // Without an anchor from the caller, media time 0 is taken to be "now minus this chunk's time".
    this.#anchorMs ??= this.#now() - chunk.startSeconds * 1000;
    const { completed } = this.#segmenter.append(chunk, { initVersion: init.version, anchorMs: this.#anchorMs });
    for (const segment of completed) this.#store(segment);
    this.#wake();
  }

  /**
   * A new input stream begins (transcoder restarted, publisher reconnected): closes the open
   * segment, forgets a failed parse, and marks the next segment with EXT-X-DISCONTINUITY unless
   * told otherwise. `wallClockAnchorMs`: wall-clock time of the new stream's media time 0.
   */
  restartInput(options: { discontinuity?: boolean; wallClockAnchorMs?: number } = {}): void {
    if (this.#ended) return;
    this.#closeOpenSegment();
    if (options.discontinuity ?? true) this.#segmenter.requestDiscontinuity();
    this.#parser = new Fmp4StreamParser({ maxBoxBytes: this.#maxBoxBytes });
    this.#inputFailed = false;
    this.#anchorMs = options.wallClockAnchorMs;
    this.#wake();
  }

  /** The next segment carries EXT-X-DISCONTINUITY and opens at the next keyframe (same input stream). */
  markDiscontinuity(): void {
    this.#segmenter.requestDiscontinuity();
  }

  /** The stream is over: the open segment completes, playlists get EXT-X-ENDLIST, waiters are released. */
  end(): void {
    if (this.#ended) return;
    this.#closeOpenSegment();
    this.#ended = true;
    this.#parser = new Fmp4StreamParser();
    this.#wake();
  }

  // ── state ────────────────────────────────────────────────────────────────────────────────

  get ended(): boolean { return this.#ended; }
  get currentInit(): InitRecord | undefined { return this.#inits.at(-1); }
  /** The input stopped at corrupt bytes and waits for restartInput. */
  get inputFailed(): boolean { return this.#inputFailed; }

  get targetDurationSeconds(): number { return this.#segmenter.targetDurationSeconds; }
  get partTargetSeconds(): number { return this.#segmenter.partTargetSeconds; }

  /** Where this rendition stands, for siblings' EXT-X-RENDITION-REPORT; undefined before any media. */
  get position(): RenditionPosition | undefined {
    const open = this.#segmenter.openSegment;
    if (this.profile.lowLatency && open && open.parts.length > 0) return { lastMsn: open.msn, lastPart: open.parts.length - 1 };
    const last = this.#listed.at(-1);
    if (!last) return undefined;
    return this.profile.lowLatency ? { lastMsn: last.msn, lastPart: last.parts.length - 1 } : { lastMsn: last.msn };
  }

  /** Complete segments so far (the first one's arrival is when a live can be announced). */
  get segmentCount(): number { return this.#counters.segments; }

  stats(): RenditionStats {
    return {
      ...this.#counters,
      waiting: this.#blockWaiters.size + this.#partWaiters.size,
      timedOutWaits: this.#blockWaiters.timedOut + this.#partWaiters.timedOut,
      refusedWaits: this.#blockWaiters.refused + this.#partWaiters.refused,
    };
  }

  /** Peak and average bits per second over the segments in memory (for BANDWIDTH). */
  measuredBitrate(): { peak: number; average: number } | undefined {
    const timed = this.#inMemory.filter((segment) => segment.durationSeconds > 0);
    if (timed.length === 0) return undefined;
    const bits = timed.reduce((total, segment) => total + segment.bytes.byteLength * 8, 0);
    const seconds = timed.reduce((total, segment) => total + segment.durationSeconds, 0);
    const peak = Math.max(...timed.map((segment) => (segment.bytes.byteLength * 8) / segment.durationSeconds));
    return { peak, average: bits / seconds };
  }

  // ── output ───────────────────────────────────────────────────────────────────────────────

  playlist(options: MediaPlaylistOptions = {}): string {
    return writeMediaPlaylist(this.playlistInput(), options);
  }

  /** The snapshot the playlist is written from. */
  playlistInput(): MediaPlaylistInput {
    return {
      lowLatency: this.profile.lowLatency,
      targetDurationSeconds: this.targetDurationSeconds,
      partTargetSeconds: this.partTargetSeconds,
      partHoldBackSeconds: this.profile.partHoldBackSeconds,
      holdBackSeconds: this.profile.holdBackSeconds,
      segments: this.#listed.slice(-this.#playlistSegments),
      openSegment: this.#segmenter.openSegment,
      nextPartNumber: this.#segmenter.nextPartNumber,
      ended: this.#ended,
    };
  }

  init(version: number): InitRecord | undefined {
    return this.#inits.find((record) => record.version === version);
  }

  /** A complete segment's bytes while it is in memory; afterwards, the sink's copy on disk. */
  segmentBytes(msn: number): Uint8Array | undefined {
    return this.#inMemory.find((segment) => segment.msn === msn)?.bytes;
  }

  part(partNumber: number): Part | undefined {
    const open = this.#segmenter.openSegment;
    const found = open?.parts.find((part) => part.number === partNumber);
    if (found) return found;
    for (let index = this.#inMemory.length - 1; index >= 0; index--) {
      const { parts } = this.#inMemory[index];
      if (parts.length > 0 && parts[0].number <= partNumber) return parts.find((part) => part.number === partNumber);
    }
    return undefined;
  }

  /**
   * Blocking playlist reload (§6.2.5.2): resolves once segment `msn` is complete or, with `part`,
   * once that part (or anything after it) exists. Default timeout: three target durations.
   */
  blockUntil(target: BlockTarget, options: Partial<WaitOptions> = {}): Promise<BlockOutcome> {
    if (target.msn > this.#lastCompleteMsn() + MAX_MSN_AHEAD) return Promise.resolve('too-far');
    const part = this.profile.lowLatency ? target.part : undefined;
    return this.#blockWaiters.wait(() => this.#blockOutcome(target.msn, part), BLOCK_FALLBACKS, this.#waitOptions(options));
  }

  /**
   * A part by number, waiting for it when it is the preload-hinted next part. Parts further ahead
   * were never advertised and parts gone from memory will not come back: both are 'not-found'.
   */
  awaitPart(partNumber: number, options: Partial<WaitOptions> = {}): Promise<PartOutcome> {
    if (partNumber > this.#segmenter.nextPartNumber) return Promise.resolve({ status: 'not-found' });
    return this.#partWaiters.wait(() => this.#partOutcome(partNumber), PART_FALLBACKS, this.#waitOptions(options));
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────

  #blockOutcome(msn: number, part: number | undefined): BlockOutcome | undefined {
    if (this.#lastCompleteMsn() >= msn) return 'ready';
    const open = this.#segmenter.openSegment;
    if (part !== undefined && open && open.msn === msn && open.parts.length > part) return 'ready';
    return this.#ended ? 'ended' : undefined;
  }

  #partOutcome(partNumber: number): PartOutcome | undefined {
    const part = this.part(partNumber);
    if (part) return { status: 'ready', part };
    if (partNumber < this.#segmenter.nextPartNumber || this.#ended) return { status: 'not-found' };
    return undefined;
  }

  #waitOptions(options: Partial<WaitOptions>): WaitOptions {
    return { timeoutMs: options.timeoutMs ?? BLOCK_TIMEOUT_TARGETS * this.targetDurationSeconds * 1000, signal: options.signal };
  }

  /** −1 before the first segment completes. */
  #lastCompleteMsn(): number {
    return this.#segmenter.nextMsn - 1 - (this.#segmenter.openSegment ? 1 : 0);
  }

  #closeOpenSegment(): void {
    const closed = this.#segmenter.close();
    if (closed) this.#store(closed);
  }

  #store(segment: Segment): void {
    this.#counters.segments++;
    this.#listed.push(segment);
    this.#inMemory.push(segment);
    while (this.#inMemory.length > this.#memorySegments) this.#forgetBytes(this.#inMemory.shift());
    while (this.#listed.length > this.#playlistSegments) this.#listed.shift();
    this.#dropUnusedInits();
    this.#callSink(() => this.#sink.segment?.(segment));
  }

  /** Keeps the segment's playlist entry but lets its bytes go (the sink has them). */
  #forgetBytes(segment: Segment | undefined): void {
    if (!segment) return;
    const position = this.#listed.findIndex((listed) => listed.msn === segment.msn);
    if (position >= 0) this.#listed[position] = withoutBytes(segment);
  }

  /** Inits older than every listed segment can no longer be asked for through a playlist. */
  #dropUnusedInits(): void {
    const oldestUsed = Math.min(this.#listed[0]?.initVersion ?? Infinity, this.#inMemory[0]?.initVersion ?? Infinity);
    this.#inits = this.#inits.filter((record, position) => record.version >= oldestUsed || position === this.#inits.length - 1);
  }

  #wake(): void {
    this.#blockWaiters.recheck();
    this.#partWaiters.recheck();
  }

  #callSink(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.#counters.sinkErrors++;
      this.#report(error);
    }
  }

  #report(error: unknown): void {
    try {
      this.#sink.error?.(error instanceof Error ? error : new Error(String(error)));
    } catch {
      // An error handler that throws has nowhere left to report to; the live path goes on.
    }
  }
}

function withoutBytes(segment: Segment): SegmentInfo {
  const { bytes: _bytes, parts, ...info } = segment;
  return { ...info, parts: parts.map(({ bytes: _partBytes, ...part }) => part) };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let index = 0; index < a.byteLength; index++) if (a[index] !== b[index]) return false;
  return true;
}
