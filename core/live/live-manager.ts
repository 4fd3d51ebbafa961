// The lifecycle of lives: admits publishers (the PublishGate of ingest/), runs one
// transcoder per session, and moves the video through waiting -> published -> ended.
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { Config, Logger } from '../../config/index.ts';
import { VideoState, LiveVideoError, type ProcessLock } from '../../db/index.ts';
import type { Admission, PublishAttempt, PublishGate } from '../../ingest/index.ts';
import { prepareLiveTranscoder, writeEndedPlaylists, type EncoderSelection } from '../../packager/index.ts';
import type { LiveSession } from './live-session.ts';
import type { LiveStore } from './live-store.ts';
import type { StreamKeyVault } from './stream-keys.ts';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface LiveStateChange {
  videoId: number;
  videoUuid: string;
  state: number;
  session: LiveSession | undefined;
}

export interface LiveManagerEvents {
  'state-change': [change: LiveStateChange];
}

/** The media side of a session: the packager's transcoder and its final playlists (ffmpeg in production). */
export interface LiveMedia {
  prepare: typeof prepareLiveTranscoder;
  writeEndedPlaylists: typeof writeEndedPlaylists;
}

const PACKAGER_MEDIA: LiveMedia = { prepare: prepareLiveTranscoder, writeEndedPlaylists };

export interface LiveManagerOptions {
  /** A session that recorded its segments for a replay has ended (normally or in a crash). */
  onRecordingEnded?: (sessionId: number) => Promise<void>;
  /** The lives, sessions and video states (core/live/live-store.ts: Postgres). */
  store: LiveStore;
  /** Defaults to the packager: ffmpeg and LL-HLS. */
  media?: LiveMedia;
  /** This process's liveness lock: sessions record it, and recovery spares those of live processes. */
  processLock: ProcessLock;
  config: Config;
  ffmpegPath: string;
  encoder: EncoderSelection;
  mediaRoot: string;
  /** Stream keys are stored hashed (lookup) and sealed (the owner's copy). */
  streamKeys: StreamKeyVault;
  log: Logger;
}

export class LiveManager extends EventEmitter<LiveManagerEvents> implements PublishGate {
  readonly #options: LiveManagerOptions;
  readonly #store: LiveStore;
  readonly #media: LiveMedia;
  /** Active sessions by live id: the only record the media path consults. */
  readonly #active = new Map<number, LiveSession>();

  constructor(options: LiveManagerOptions) {
    super();
    this.#options = options;
    this.#store = options.store;
    this.#media = options.media ?? PACKAGER_MEDIA;
  }

  /** For the routes that create, show and rotate stream keys. */
  get streamKeys(): StreamKeyVault {
    return this.#options.streamKeys;
  }

  activeSessionOfVideo(videoId: number): LiveSession | undefined {
    for (const session of this.#active.values()) if (session.videoId === videoId) return session;
    return undefined;
  }

  /** The packager of an active session, for the media routes (no database on the media path). */
  outputOf(videoUuid: string, sessionId: number): LiveSession['output'] {
    for (const session of this.#active.values()) {
      if (session.videoUuid === videoUuid && session.sessionId === sessionId) return session.output;
    }
    return undefined;
  }

  get activeSessions(): LiveSession[] {
    return [...this.#active.values()];
  }

  /** A server that stopped mid-stream left sessions open: end them and reset their lives. */
  async recoverAfterRestart(): Promise<void> {
    const { log } = this.#options;
    for (const { sessionId, videoId, permanent, saveReplay } of await this.#store.closeDanglingSessions((key) => this.#options.processLock.isGone(key))) {
      await this.#store.setVideoState(videoId, permanent ? VideoState.WAITING_FOR_LIVE : VideoState.LIVE_ENDED);
      log.info(`live of video ${videoId} was streaming when the server stopped: marked ${permanent ? 'waiting' : 'ended'}`);
      // What was recorded before the stop is on disk: it still becomes the replay.
      if (saveReplay) await this.#options.onRecordingEnded?.(sessionId);
    }
  }

  /** Another server process on this database streams this live now. */
  async #runsElsewhere(liveId: number): Promise<boolean> {
    const { processLock } = this.#options;
    for (const owner of await this.#store.openSessionOwners(liveId)) {
      if (owner !== processLock.key && !await processLock.isGone(owner)) return true;
    }
    return false;
  }

  async admit(attempt: PublishAttempt): Promise<Admission> {
    const { log } = this.#options;
    if (!UUID_PATTERN.test(attempt.streamKey)) return { admitted: false, reason: 'unknown stream key' };
    // Every protocol (RTMP, RTMPS, SRT, WHIP) comes through here: one lookup, by the key's hash.
    const live = await this.#store.findLiveByKeyHash(this.#options.streamKeys.lookupHash(attempt.streamKey));
    if (!live) return { admitted: false, reason: 'unknown stream key' };
    if (live.videoState === VideoState.LIVE_ENDED && !live.permanent) {
      return { admitted: false, reason: `live ${live.videoUuid} has ended; create a new live or use a permanent one` };
    }
    // Check and reserve in the same tick, so that two publishers racing on one key cannot both pass.
    const current = this.#active.get(live.liveId);
    if (current?.graceTimer && !current.ending) return this.#resume(current, attempt);
    if (current) return { admitted: false, reason: `live ${live.videoUuid} already has a publisher` };
    const placeholder = { liveId: live.liveId } as LiveSession;
    this.#active.set(live.liveId, placeholder);
    try {
      if (await this.#runsElsewhere(live.liveId)) {
        this.#active.delete(live.liveId);
        return { admitted: false, reason: `live ${live.videoUuid} already has a publisher (on another server process)` };
      }
      const row = await this.#store.startSession(live.liveId, attempt.protocol, live.saveReplay, this.#options.processLock.key);
      const session: LiveSession = {
        sessionId: row.id,
        liveId: live.liveId,
        videoId: live.videoId,
        videoUuid: live.videoUuid,
        permanent: live.permanent,
        attempt,
        graceTimer: undefined,
        startedAt: row.startedAt,
        mediaPath: join('hls', live.videoUuid, String(row.id)),
        latencyMode: live.latencyMode === 2 || live.latencyMode === 3 ? live.latencyMode : 1,
        keepAllSegments: live.saveReplay,
        renditions: [],
        transcoder: undefined,
        output: undefined,
        sinks: [],
        playable: false,
        ending: undefined,
      };
      this.#active.set(live.liveId, session);
      log.info(`live ${live.videoUuid} session ${row.id} started over ${attempt.protocol} from ${attempt.remoteAddress}`);
      void this.#startTranscoding(session).catch((error: Error) => {
        log.error(`live ${live.videoUuid}: transcoding could not start: ${error.message}`);
        attempt.disconnect('transcoding could not start');
        void this.#end(session, LiveVideoError.FFMPEG_ERROR);
      });
      return { admitted: true, publisherGone: () => this.#publisherGone(session, attempt) };
    } catch (error) {
      this.#active.delete(live.liveId);
      throw error;
    }
  }

  async #startTranscoding(session: LiveSession): Promise<void> {
    const { config, log, encoder } = this.#options;
    const liveLog = log.child(`live:${session.videoUuid.slice(0, 8)}`);
    const prepared = await this.#media.prepare({
      config,
      encoder,
      ffmpegPath: this.#options.ffmpegPath,
      feed: session.attempt.feed,
      latencyMode: session.latencyMode,
      keepAllSegments: session.keepAllSegments,
      outputDir: join(this.#options.mediaRoot, session.mediaPath),
      log: liveLog,
    });
    if (session.ending) return;
    const { transcoder, renditions, source, sourceHeight, output, sinks } = prepared;
    session.renditions = renditions;
    session.transcoder = transcoder;
    session.output = output;
    session.sinks = sinks;
    transcoder.once('ready', () => void this.#markPlayable(session).catch((error: Error) =>
      log.error(`live ${session.videoUuid}: could not mark it published: ${error.message}`)));
    transcoder.once('failed', () => {
      session.attempt.disconnect('the transcoder keeps failing');
      void this.#end(session, LiveVideoError.FFMPEG_ERROR);
    });
    transcoder.start();
    await this.#store.describeSession(session.sessionId, encoder.backend.id, renditions.map((rung) => rung.height));
    log.info(`live ${session.videoUuid}: ${source.width}x${sourceHeight} source, renditions ` +
      `${renditions.map((rung) => rung.passthrough ? `${rung.height}p(source)` : `${rung.height}p`).join(', ')} with ${encoder.backend.id}`);
  }

  /**
   * The publisher's connection ended. Unless the grace is off (or nothing was ever transcoded),
   * the session waits for the publisher to come back; viewers see the live stall, not end.
   */
  #publisherGone(session: LiveSession, attempt: PublishAttempt): void {
    if (session.attempt !== attempt || session.ending) return;
    const graceMs = this.#options.config.live.reconnectGraceSeconds * 1000;
    if (graceMs <= 0 || !session.transcoder) {
      void this.#end(session, null);
      return;
    }
    session.transcoder.detachFeed();
    session.graceTimer = setTimeout(() => {
      this.#options.log.info(`live ${session.videoUuid}: the publisher did not come back within ${graceMs / 1000} s`);
      void this.#end(session, null);
    }, graceMs);
    this.#options.log.info(`live ${session.videoUuid}: publisher gone, keeping session ${session.sessionId} open for ${graceMs / 1000} s`);
  }

  /** The publisher is back within the grace: same session, the playlist continues after a discontinuity. */
  #resume(session: LiveSession, attempt: PublishAttempt): Admission {
    clearTimeout(session.graceTimer);
    session.graceTimer = undefined;
    session.attempt = attempt;
    session.transcoder?.replaceFeed(attempt.feed);
    this.#options.log.info(`live ${session.videoUuid} session ${session.sessionId} resumed over ${attempt.protocol} from ${attempt.remoteAddress}`);
    return { admitted: true, publisherGone: () => this.#publisherGone(session, attempt) };
  }

  async #markPlayable(session: LiveSession): Promise<void> {
    if (session.ending) return;
    session.playable = true;
    await this.#store.setVideoState(session.videoId, VideoState.PUBLISHED);
    this.emit('state-change', { videoId: session.videoId, videoUuid: session.videoUuid, state: VideoState.PUBLISHED, session });
  }

  #end(session: LiveSession, error: number | null): Promise<void> {
    session.ending ??= this.#finish(session, error);
    return session.ending;
  }

  async #finish(session: LiveSession, error: number | null): Promise<void> {
    const { log } = this.#options;
    clearTimeout(session.graceTimer);
    session.graceTimer = undefined;
    try {
      await session.transcoder?.stop();
      if (session.output) {
        session.output.end();
        await Promise.all(session.sinks.map((sink) => sink.flush()));
        await this.#media.writeEndedPlaylists(session.output, join(this.#options.mediaRoot, session.mediaPath));
      }
      await this.#store.endSession(session.sessionId, error);
      // A publish that never became watchable (dropped during the handshake, no media) is a
      // cancelled attempt, not the end of a one-off live: it waits for the streamer to try again.
      const state = session.permanent || !session.playable ? VideoState.WAITING_FOR_LIVE : VideoState.LIVE_ENDED;
      await this.#store.setVideoState(session.videoId, state);
      log.info(`live ${session.videoUuid} session ${session.sessionId} ended${error ? ` with error ${error}` : ''}`);
      this.emit('state-change', { videoId: session.videoId, videoUuid: session.videoUuid, state, session: undefined });
      if (session.keepAllSegments && session.playable) await this.#options.onRecordingEnded?.(session.sessionId);
    } catch (failure) {
      log.error(`live ${session.videoUuid}: ending session ${session.sessionId} failed: ${(failure as Error).message}`);
    } finally {
      if (this.#active.get(session.liveId) === session) this.#active.delete(session.liveId);
    }
  }

  /** Ends every live cleanly (server shutdown). */
  async stopAll(): Promise<void> {
    await Promise.all(this.activeSessions.filter((session) => session.sessionId).map((session) => {
      session.attempt.disconnect('server shutting down');
      return this.#end(session, null);
    }));
  }
}
