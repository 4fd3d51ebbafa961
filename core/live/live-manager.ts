// The lifecycle of lives: admits publishers (the PublishGate of ingest/), runs one
// transcoder per session, and moves the video through waiting -> published -> ended.
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type pg from 'pg';
import type { Config, Logger } from '../../config/index.ts';
import { lives, liveSessions, videos, VideoState, LiveVideoError, type ProcessLock } from '../../db/index.ts';
import type { Admission, PublishAttempt, PublishGate } from '../../ingest/index.ts';
import { prepareLiveTranscoder, writeEndedPlaylists, type EncoderSelection } from '../../packager/index.ts';
import type { LiveSession } from './live-session.ts';
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

export interface LiveManagerOptions {
  /** A session that recorded its segments for a replay has ended (normally or in a crash). */
  onRecordingEnded?: (sessionId: number) => Promise<void>;
  pool: pg.Pool;
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
  /** Active sessions by live id: the only record the media path consults. */
  readonly #active = new Map<number, LiveSession>();

  constructor(options: LiveManagerOptions) {
    super();
    this.#options = options;
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
    const { pool, log } = this.#options;
    for (const { sessionId, videoId, permanent, saveReplay } of await liveSessions.closeDanglingSessions(pool, (key) => this.#options.processLock.isGone(key))) {
      await videos.setVideoState(pool, videoId, permanent ? VideoState.WAITING_FOR_LIVE : VideoState.LIVE_ENDED);
      log.info(`live of video ${videoId} was streaming when the server stopped: marked ${permanent ? 'waiting' : 'ended'}`);
      // What was recorded before the stop is on disk: it still becomes the replay.
      if (saveReplay) await this.#options.onRecordingEnded?.(sessionId);
    }
  }

  /** Another server process on this database streams this live now. */
  async #runsElsewhere(liveId: number): Promise<boolean> {
    const { processLock } = this.#options;
    for (const owner of await liveSessions.openSessionOwners(this.#options.pool, liveId)) {
      if (owner !== processLock.key && !await processLock.isGone(owner)) return true;
    }
    return false;
  }

  async admit(attempt: PublishAttempt): Promise<Admission> {
    const { pool, log } = this.#options;
    if (!UUID_PATTERN.test(attempt.streamKey)) return { admitted: false, reason: 'unknown stream key' };
    // Every protocol (RTMP, RTMPS, SRT, WHIP) comes through here: one lookup, by the key's hash.
    const live = await lives.findLiveByStreamKeyHash(pool, this.#options.streamKeys.lookupHash(attempt.streamKey));
    if (!live) return { admitted: false, reason: 'unknown stream key' };
    const video = await videos.findVideo(pool, { id: live.video_id });
    if (!video) return { admitted: false, reason: 'unknown stream key' };
    if (video.state === VideoState.LIVE_ENDED && !live.permanent_live) {
      return { admitted: false, reason: `live ${video.uuid} has ended; create a new live or use a permanent one` };
    }
    // Check and reserve in the same tick, so that two publishers racing on one key cannot both pass.
    const current = this.#active.get(live.id);
    if (current?.graceTimer && !current.ending) return this.#resume(current, attempt);
    if (current) return { admitted: false, reason: `live ${video.uuid} already has a publisher` };
    const placeholder = { liveId: live.id } as LiveSession;
    this.#active.set(live.id, placeholder);
    try {
      if (await this.#runsElsewhere(live.id)) {
        this.#active.delete(live.id);
        return { admitted: false, reason: `live ${video.uuid} already has a publisher (on another server process)` };
      }
      const row = await liveSessions.startLiveSession(pool, live.id, attempt.protocol, live.save_replay, this.#options.processLock.key);
      const session: LiveSession = {
        sessionId: row.id,
        liveId: live.id,
        videoId: video.id,
        videoUuid: video.uuid,
        permanent: live.permanent_live,
        attempt,
        graceTimer: undefined,
        startedAt: row.started_at,
        mediaPath: join('hls', video.uuid, String(row.id)),
        latencyMode: live.latency_mode === 2 || live.latency_mode === 3 ? live.latency_mode : 1,
        keepAllSegments: live.save_replay,
        renditions: [],
        transcoder: undefined,
        output: undefined,
        sinks: [],
        playable: false,
        ending: undefined,
      };
      this.#active.set(live.id, session);
      log.info(`live ${video.uuid} session ${row.id} started over ${attempt.protocol} from ${attempt.remoteAddress}`);
      void this.#startTranscoding(session).catch((error: Error) => {
        log.error(`live ${video.uuid}: transcoding could not start: ${error.message}`);
        attempt.disconnect('transcoding could not start');
        void this.#end(session, LiveVideoError.FFMPEG_ERROR);
      });
      return { admitted: true, publisherGone: () => this.#publisherGone(session, attempt) };
    } catch (error) {
      this.#active.delete(live.id);
      throw error;
    }
  }

  async #startTranscoding(session: LiveSession): Promise<void> {
    const { config, pool, log, encoder } = this.#options;
    const liveLog = log.child(`live:${session.videoUuid.slice(0, 8)}`);
    const prepared = await prepareLiveTranscoder({
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
    await liveSessions.describeLiveSession(pool, session.sessionId, encoder.backend.id, renditions.map((rung) => rung.height));
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
    await videos.setVideoState(this.#options.pool, session.videoId, VideoState.PUBLISHED);
    this.emit('state-change', { videoId: session.videoId, videoUuid: session.videoUuid, state: VideoState.PUBLISHED, session });
  }

  #end(session: LiveSession, error: number | null): Promise<void> {
    session.ending ??= this.#finish(session, error);
    return session.ending;
  }

  async #finish(session: LiveSession, error: number | null): Promise<void> {
    const { pool, log } = this.#options;
    clearTimeout(session.graceTimer);
    session.graceTimer = undefined;
    try {
      await session.transcoder?.stop();
      if (session.output) {
        session.output.end();
        await Promise.all(session.sinks.map((sink) => sink.flush()));
        await writeEndedPlaylists(session.output, join(this.#options.mediaRoot, session.mediaPath));
      }
      await liveSessions.endLiveSession(pool, session.sessionId, error);
      // A publish that never became watchable (dropped during the handshake, no media) is a
      // cancelled attempt, not the end of a one-off live: it waits for the streamer to try again.
      const state = session.permanent || !session.playable ? VideoState.WAITING_FOR_LIVE : VideoState.LIVE_ENDED;
      await videos.setVideoState(pool, session.videoId, state);
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
