// Starts every part in dependency order and stops them in reverse.
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Config, Logger } from '../config/index.ts';
import { randomBytes } from 'node:crypto';
import { openDatabase, oauth, serverSecrets, videos, type Database } from '../db/index.ts';
import { startJobQueue, type JobQueue } from '../jobs/index.ts';
import { rtmpLimits, RtmpIngestServer, SrtIngestServer } from '../ingest/index.ts';
import { encoderSettingsFromConfig, locateFfmpeg, selectEncoder, spawnFfmpeg, type EncoderSelection, type FfmpegBinary } from '../packager/index.ts';
import { WhipEndpoint } from '../ingest/whip/index.ts';
import { WhepManager, whepRendition } from '../packager/whep/index.ts';
import { buildApp } from './app.ts';
import { ensureAdmin } from '../core/users/bootstrap-admin.ts';
import type { AppContext, IngestEndpoints, WebRtcServices } from './context.ts';
import { LiveManager } from '../core/live/live-manager.ts';
import { postgresLiveStore } from '../core/live/live-store.ts';
import { openStreamKeyVault } from '../core/live/stream-keys.ts';
import { startRealtime, type Realtime } from './live/realtime.ts';
import { accessInfoOf, createMediaAccess, type MediaAccess } from '../core/media-access/access.ts';
import { processReplay, replayFaultsFromEnv, REPLAY_QUEUE, type ReplayJob } from '../core/live/replay-job.ts';
import { processVodTranscode, VOD_TRANSCODE_QUEUE, type VodTranscodeJob } from '../core/vod/transcode-job.ts';
import { createUploadService, type UploadService } from '../core/uploads/upload-service.ts';
import { SUPPORTED_PRIVACIES } from '../core/videos/privacy.ts';
import { processStoryboard, STORYBOARD_QUEUE, type StoryboardJob } from '../core/vod/storyboard-job.ts';
import { afterOnDemandPublished, afterOnDemandReplaced } from '../core/vod/on-demand.ts';
import { ChatService } from '../chat/service.ts';
import { attachChatNamespace } from '../chat/namespace.ts';
import { userOfAccessToken } from './auth/authenticate.ts';
import { configurePasswordHashing } from '../core/auth/password.ts';
import { clientAddressResolver, startSocketServer } from './socket-server.ts';
import { startChatBridge, type ChatBridgeHandle } from '../chat/bridge-leader.ts';

export interface RunningServer {
  httpPort: number;
  rtmpPort: number;
  stop(): Promise<void>;
}

/** The parts behind the HTTP routes and the ingest servers: database, jobs, lives, uploads, chat, WebRTC. */
export interface Services {
  database: Database;
  jobs: JobQueue;
  ffmpeg: FfmpegBinary;
  encoder: EncoderSelection;
  mediaRoot: string;
  mediaAccess: MediaAccess;
  uploads: UploadService;
  lives: LiveManager;
  chat: ChatService;
  webrtc: WebRtcServices | undefined;
}

export interface ServiceOptions {
  /**
   * How the H.264 encoder is chosen. By default, selectEncoder's trial encodes (seconds at start-up);
   * the in-process test harness (test/helpers/in-process.ts) gives a fixed choice instead.
   */
  selectEncoder?: (ffmpeg: FfmpegBinary) => Promise<EncoderSelection>;
}

async function chooseEncoder(config: Config, log: Logger, ffmpeg: FfmpegBinary): Promise<EncoderSelection> {
  const encoder = await selectEncoder(encoderSettingsFromConfig(config, ffmpeg.ffmpeg));
  const fellBack = encoder.requested !== 'auto' && encoder.requested !== encoder.backend.id;
  (fellBack ? log.warn : log.info)(`encoder: ${encoder.backend.id} (${encoder.step}` +
    `${fellBack ? `; ${encoder.requested} failed its trial encode, see /api/v1/admin/transcoding` : ''})`);
  return encoder;
}

/** Starts every part but the listeners (HTTP, sockets, RTMP, SRT): what the routes' context is made of. */
export async function startServices(config: Config, log: Logger, options: ServiceOptions = {}): Promise<Services> {
  const dataDir = resolve(config.storage.dataDir);
  const ffmpeg = await locateFfmpeg({ ffmpeg: config.ffmpeg.path, ffprobe: config.ffmpeg.ffprobePath });
  log.info(`ffmpeg ${ffmpeg.version} (${ffmpeg.origin}) at ${ffmpeg.ffmpeg}`);
  if (ffmpeg.origin === 'bundled') {
    log.warn('no system ffmpeg found: using the bundled ffmpeg 4.1 fallback. RTMP and HLS work; ' +
      'SRT ingest and hardware encoders need the system ffmpeg (apt-get install ffmpeg)');
  }
  const encoder = await (options.selectEncoder ?? ((found) => chooseEncoder(config, log, found)))(ffmpeg);

  configurePasswordHashing({ cost: config.auth.passwordHashCost, concurrency: config.auth.scryptConcurrency, queue: config.auth.scryptQueue });
  const database = await openDatabase(config, log.child('db'));
  const jobs = await startJobQueue(database.url, log.child('jobs'));
  await ensureAdmin(database.pool, config, log);
  await oauth.getOrCreateLocalClient(database.pool);

  const mediaRoot = join(dataDir, 'streaming-playlists');
  const mediaAccess = createMediaAccess(database.pool, config.auth);
  const storyboardContext = { pool: database.pool, mediaRoot, ffmpegPath: ffmpeg.ffmpeg, log: log.child('storyboard') };
  const heartbeatSeconds = config.jobs.heartbeatSeconds;
  await jobs.handle<StoryboardJob>(STORYBOARD_QUEUE, (job, run) => processStoryboard(storyboardContext, job, run),
    { retryLimit: 2, expireInSeconds: config.jobs.storyboardTimeoutSeconds, heartbeatSeconds });
  const afterPublish = (videoId: number) => afterOnDemandPublished({ pool: database.pool, jobs, log: log.child('on-demand') }, videoId);
  const replays = {
    pool: database.pool, mediaRoot, ffmpegPath: ffmpeg.ffmpeg, mediaAccess, log: log.child('replay'), afterPublish,
    // Tests only: fail a session's first replay run after a given step (core/live/replay-job.ts).
    afterStep: replayFaultsFromEnv(process.env.LIVECAST_TEST_REPLAY_FAULTS),
  };
  await jobs.handle<ReplayJob>(REPLAY_QUEUE, (job, run) => processReplay(replays, job, run),
    { expireInSeconds: config.jobs.replayTimeoutSeconds, heartbeatSeconds });
  const transcodes = {
    pool: database.pool, mediaRoot, ffmpeg, encoder, transcoding: config.transcoding, mediaAccess, log: log.child('upload'), afterPublish,
    afterReplace: (videoId: number) => afterOnDemandReplaced({ pool: database.pool, jobs }, videoId),
  };
  // A crash mid-transcode leaves the video in TO_TRANSCODE: the retried job starts it over.
  await jobs.handle<VodTranscodeJob>(VOD_TRANSCODE_QUEUE, (job, run) => processVodTranscode(transcodes, job, run),
    { retryLimit: 2, expireInSeconds: config.jobs.transcodeTimeoutSeconds, heartbeatSeconds });
  const uploads = createUploadService({
    pool: database.pool, jobs, dataDir, limits: config.uploads, allowedPrivacies: () => SUPPORTED_PRIVACIES,
  });
  const streamKeys = await openStreamKeyVault(database.pool);
  const lives = new LiveManager({
    streamKeys, store: postgresLiveStore(database.pool), processLock: database.processLock, config, ffmpegPath: ffmpeg.ffmpeg, encoder, mediaRoot, log: log.child('live'),
    onRecordingEnded: (sessionId) => jobs.enqueue<ReplayJob>(REPLAY_QUEUE, { sessionId }),
  });
  await lives.recoverAfterRestart();

  let webrtc: WebRtcServices | undefined;
  if (config.webrtc.enabled) {
    const whepRung = whepRendition(config.transcoding.ladder);
    const whep = new WhepManager({
      ffmpegPath: ffmpeg.ffmpeg, maxHeight: whepRung.height, videoBitrateKbps: whepRung.videoBitrateKbps,
      keyframeSeconds: 1, threads: config.transcoding.threads, log: log.child('whep'),
    });
    webrtc = {
      whip: new WhipEndpoint({
        gate: lives, ffmpegPath: ffmpeg.ffmpeg, spawnFfmpeg, log: log.child('whip'),
        timeouts: { keyframeIntervalMs: config.live.segmentSeconds * 1000 },
      }),
      whep,
      publicIp: config.webrtc.publicIp,
    };
    // A live that ends takes its WebRTC viewers and their encoder with it.
    lives.on('state-change', (change) => { if (!change.session) void whep.endLive(String(change.videoId)); });
  }

  const chat = new ChatService({
    pool: database.pool, settings: config.chat, log: log.child('chat'),
    xmppMucDomain: config.chat.xmpp.enabled ? config.chat.xmpp.mucDomain : undefined,
    canView: (video, viewer) => mediaAccess.check(accessInfoOf(video), viewer),
  });
  lives.on('state-change', (change) => {
    chat.liveStateChanged(change.videoId, change.session !== undefined).catch((error: Error) =>
      log.warn(`chat: could not follow the live state of video ${change.videoId}: ${error.message}`));
  });

  return { database, jobs, ffmpeg, encoder, mediaRoot, mediaAccess, uploads, lives, chat, webrtc };
}

/** buildApp's context: the services, the ingest endpoints the API announces, the live viewer counts. */
export function appContextOf(config: Config, log: Logger, services: Services, ingest: IngestEndpoints, viewersOf: (videoId: number) => number): AppContext {
  const { database, lives, ffmpeg, encoder, mediaRoot, mediaAccess, uploads, chat, webrtc } = services;
  return {
    config, pool: database.pool, log: log.child('api'), lives, ffmpeg, encoder, mediaRoot,
    ingest,
    mediaAccess,
    uploads,
    chat,
    viewersOf,
    webrtc,
  };
}

export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const services = await startServices(config, log);
  const { database, jobs, ffmpeg, lives, chat, webrtc, mediaAccess } = services;
  const dataDir = resolve(config.storage.dataDir);
  const tls = config.rtmps.certFile && config.rtmps.keyFile
    ? { port: config.rtmps.port, certFile: config.rtmps.certFile, keyFile: config.rtmps.keyFile }
    : undefined;
  const rtmp = new RtmpIngestServer({
    host: config.rtmp.host, port: config.rtmp.port, tls, app: 'live', workDir: dataDir, gate: lives, log: log.child('rtmp'),
    limits: rtmpLimits(config),
  });
  await rtmp.start();
  // SRT needs an ffmpeg with libsrt (Debian's; not the bundled 4.1 fallback, warned above). It is a
  // second front door: a port already taken turns it off, loudly, rather than the whole server.
  let srt = config.srt.port && ffmpeg.origin !== 'bundled'
    ? new SrtIngestServer({ host: config.srt.host, port: config.srt.port, gate: lives, ffmpegPath: ffmpeg.ffmpeg, spawnFfmpeg, log: log.child('srt') })
    : undefined;
  await srt?.start().catch((error: Error) => {
    log.error(`SRT ingest off: cannot listen on ${config.srt.host}:${config.srt.port} (${error.message}); ` +
      'set srt.port (SRT_PORT) to a free UDP port, or 0 to turn SRT off');
    srt = undefined;
  });

  let realtime: Realtime | undefined;
  const context = appContextOf(config, log, services, { rtmpPort: rtmp.port, rtmpsPort: rtmp.tlsPort, srtPort: srt?.port },
    (videoId) => realtime?.viewersOf(videoId) ?? 0);
  const app = await buildApp(context);
  const io = startSocketServer(app.server, database.pool, log.child('socket.io'));
  const addressOf = clientAddressResolver(config.http.trustProxy);
  realtime = startRealtime(io, lives, log.child('realtime'), {
    userOf: (token) => userOfAccessToken(database.pool, token),
    // The same rule as the video's page and media: a protected live's state is for those who may watch it.
    mayFollow: async (ref, viewer) => {
      const video = await videos.findVideo(database.pool, ref);
      if (!video) return { error: 'not_found' };
      const denial = await mediaAccess.check(accessInfoOf(video), { ...viewer, byNumericId: 'id' in ref });
      if (!denial) return { videoId: video.id };
      // Only the throttle is told apart: any other refusal looks like a video that does not exist.
      return denial.code === 'too_many_requests' ? { error: denial.code, retryAfterSeconds: denial.retryAfterSeconds } : { error: 'not_found' };
    },
    addressOf: (socket) => addressOf(socket.request),
  });
  attachChatNamespace({
    io, service: chat, log: log.child('chat'),
    ipSalt: await serverSecrets.getOrCreateSecret(database.pool, 'chat-ip-salt', () => randomBytes(32)),
    addressOf: (socket) => addressOf(socket.request),
    authenticate: async (token) => await userOfAccessToken(database.pool, token) ?? 'invalid',
  });
  const chatBridge: ChatBridgeHandle | undefined = config.chat.xmpp.enabled
    ? startChatBridge({ pool: database.pool, hub: chat, settings: config.chat.xmpp, log: log.child('xmpp') })
    : undefined;
  await app.listen({ host: config.http.host, port: config.http.port });
  const httpPort = (app.server.address() as AddressInfo).port;
  if (webrtc) log.info(`WHIP ingest on http://${config.http.host}:${httpPort}/api/v1/whip (bearer token: the stream key)`);
  log.info(`ready: web UI on http://${config.http.host}:${httpPort}, RTMP on rtmp://${config.rtmp.host}:${rtmp.port}/live`);

  let stopping: Promise<void> | undefined;
  return {
    httpPort,
    rtmpPort: rtmp.port,
    stop: () => stopping ??= (async () => {
      await lives.stopAll();
      await webrtc?.whep.stop();
      await webrtc?.whip.stop();
      await srt?.stop();
      await rtmp.stop();
      await chatBridge?.stop();
      await new Promise<void>((resolve) => { void io.close(() => resolve()); });
      await app.close();
      await jobs.stop();
      await database.close();
    })(),
  };
}
