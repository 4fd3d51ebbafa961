// WHEP playback for every live: one WhepSource per live, started when its first viewer arrives and
// stopped when its last one leaves (or the live ends), and the viewers attached to it.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../config/index.ts';
import type { MediaFeed } from '../../ingest/contracts.ts';
import { WhepSource } from './source.ts';
import { WhepViewer } from './viewer.ts';

export interface WhepManagerOptions {
  ffmpegPath: string;
  /** The top ladder rung at or under 720p, and its bitrate. */
  maxHeight: number;
  videoBitrateKbps: number;
  keyframeSeconds: number;
  threads: number;
  /** Added to the interfaces' own addresses in ICE candidates; default loopback. */
  iceAdditionalHostAddresses?: string[];
  /** Viewers over all lives; more get "unavailable". */
  maxViewers?: number;
  connectTimeoutMs?: number;
  log: Logger;
}

export interface WhepPlayRequest {
  /** Identifies the live (api/ uses the video id); one source per key. */
  liveKey: string;
  feed: MediaFeed;
  offer: string;
  remoteAddress: string;
}

export type WhepPlayOutcome =
  | { ok: true; viewerId: string; answer: string }
  | { ok: false; refusal: 'bad-offer' | 'unavailable'; message: string };

interface LiveEntry {
  feed: MediaFeed;
  source: WhepSource;
  starting: Promise<void>;
  viewers: Map<string, WhepViewer>;
}

/** Measured: about 1.7 % of a core per 720p viewer on the one JS thread, which ingest and HLS share. */
const DEFAULT_MAX_WHEP_VIEWERS = 40;

export class WhepManager {
  readonly #options: WhepManagerOptions;
  readonly #lives = new Map<string, LiveEntry>();
  #stopping = false;
  /** Packets dropped for slow viewers that have left (live ones count their own). */
  #droppedByGone = 0;

  constructor(options: WhepManagerOptions) {
    this.#options = options;
  }

  get viewerCount(): number {
    let count = 0;
    for (const entry of this.#lives.values()) count += entry.viewers.size;
    return count;
  }

  /** RTP packets not sent to viewers that could not keep up, since start (a metric). */
  get droppedPackets(): number {
    let dropped = this.#droppedByGone;
    for (const entry of this.#lives.values()) for (const viewer of entry.viewers.values()) dropped += viewer.dropped;
    return dropped;
  }

  viewersOf(liveKey: string): number {
    return this.#lives.get(liveKey)?.viewers.size ?? 0;
  }

  async play(request: WhepPlayRequest): Promise<WhepPlayOutcome> {
    const { log } = this.#options;
    if (!request.offer.startsWith('v=0') || !/^m=video /m.test(request.offer)) {
      return { ok: false, refusal: 'bad-offer', message: 'The body must be an SDP offer that receives video' };
    }
    if (this.#stopping) return { ok: false, refusal: 'unavailable', message: 'The server is shutting down' };
    const max = this.#options.maxViewers ?? DEFAULT_MAX_WHEP_VIEWERS;
    if (this.viewerCount >= max) {
      log.warn(`refused a WHEP viewer from ${request.remoteAddress}: ${max} viewers already`);
      return { ok: false, refusal: 'unavailable', message: 'This server carries no more WebRTC viewers; use HLS' };
    }

    const entry = this.#entryFor(request.liveKey, request.feed);
    const id = randomUUID();
    const viewer = new WhepViewer({
      id,
      remoteAddress: request.remoteAddress,
      iceAdditionalHostAddresses: this.#options.iceAdditionalHostAddresses ?? ['127.0.0.1'],
      connectTimeoutMs: this.#options.connectTimeoutMs ?? 15_000,
      log: log.child(`whep:${request.liveKey}`),
    });
    // Counted from now on, so that the source is not stopped while this viewer negotiates.
    entry.viewers.set(id, viewer);
    viewer.once('closed', () => this.#leave(request.liveKey, entry, viewer));
    const unavailable = (why: string): WhepPlayOutcome => {
      viewer.close(why);
      return { ok: false, refusal: 'unavailable', message: `WebRTC playback is not available for this live: ${why}` };
    };
    try {
      await entry.starting;
    } catch (error) {
      return unavailable(`its encoder did not start (${(error as Error).message})`);
    }
    if (viewer.closed) return unavailable('the live ended');
    let answer: string;
    try {
      answer = await viewer.negotiate(request.offer, entry.source.hasAudio);
    } catch (error) {
      viewer.close('negotiation failed');
      return { ok: false, refusal: 'bad-offer', message: `Unusable SDP offer: ${(error as Error).message}` };
    }
    if (viewer.closed) return unavailable('the live ended');
    entry.source.add(viewer);
    log.info(`WHEP viewer ${id.slice(0, 8)} from ${request.remoteAddress} on live ${request.liveKey} ` +
      `(${entry.viewers.size} on this live, ${this.viewerCount} in all)`);
    return { ok: true, viewerId: id, answer };
  }

  /** DELETE on the viewer URL. */
  end(liveKey: string, viewerId: string): boolean {
    const viewer = this.#lives.get(liveKey)?.viewers.get(viewerId);
    if (!viewer) return false;
    viewer.close('the viewer ended the session (DELETE)');
    return true;
  }

  /** The live ended: its viewers are closed and its encoder stops. */
  async endLive(liveKey: string, reason = 'the live ended'): Promise<void> {
    const entry = this.#lives.get(liveKey);
    if (!entry) return;
    this.#lives.delete(liveKey);
    this.#options.log.info(`WHEP source of live ${liveKey} stopping: ${reason} (${entry.viewers.size} viewers)`);
    for (const viewer of entry.viewers.values()) viewer.close(reason);
    await entry.source.stop();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all([...this.#lives.keys()].map((key) => this.endLive(key, 'server shutting down')));
  }

  #entryFor(liveKey: string, feed: MediaFeed): LiveEntry {
    const existing = this.#lives.get(liveKey);
    if (existing && existing.feed === feed) return existing;
    // A new publish of the same live: what was attached to the old feed is over.
    if (existing) void this.endLive(liveKey, 'a new publish of the live');
    const o = this.#options;
    const source = new WhepSource({
      feed, ffmpegPath: o.ffmpegPath, maxHeight: o.maxHeight, videoBitrateKbps: o.videoBitrateKbps,
      keyframeSeconds: o.keyframeSeconds, threads: o.threads, log: o.log.child(`whep:${liveKey}`),
    });
    const entry: LiveEntry = { feed, source, starting: source.start(), viewers: new Map() };
    entry.starting.catch((error: Error) => {
      o.log.error(`WHEP source of live ${liveKey} could not start: ${error.message}`);
      if (this.#lives.get(liveKey) === entry) void this.endLive(liveKey, 'its encoder did not start');
    });
    source.on('failed', () => {
      if (this.#lives.get(liveKey) === entry) void this.endLive(liveKey, 'its encoder keeps failing');
    });
    this.#lives.set(liveKey, entry);
    o.log.info(`WHEP source of live ${liveKey} starting`);
    return entry;
  }

  #leave(liveKey: string, entry: LiveEntry, viewer: WhepViewer): void {
    this.#droppedByGone += viewer.dropped;
    entry.source.remove(viewer);
    entry.viewers.delete(viewer.id);
    if (entry.viewers.size > 0 || this.#lives.get(liveKey) !== entry) return;
    this.#lives.delete(liveKey);
    this.#options.log.info(`WHEP source of live ${liveKey} stopping: no viewers left`);
    void entry.source.stop();
  }
}

/** WHEP's one rendition: the top ladder rung at or under 720p (720p at 2.5 Mb/s without one). */
export function whepRendition(ladder: ReadonlyArray<{ height: number; videoBitrateKbps: number }>): { height: number; videoBitrateKbps: number } {
  const rung = [...ladder].filter((candidate) => candidate.height <= 720).sort((a, b) => b.height - a.height)[0];
  return rung ? { height: rung.height, videoBitrateKbps: rung.videoBitrateKbps } : { height: 720, videoBitrateKbps: 2500 };
}
