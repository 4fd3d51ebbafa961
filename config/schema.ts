// The single source of every setting: its type, its default and its bounds.
// Environment variables are derived from the path: `rtmp.port` -> RTMP_PORT.
import Type, { type Static } from 'typebox';

const Rung = Type.Object({
  height: Type.Integer({ minimum: 144, maximum: 4320 }),
  videoBitrateKbps: Type.Integer({ minimum: 100, maximum: 100000 }),
  audioBitrateKbps: Type.Integer({ minimum: 32, maximum: 512, default: 128 }),
});

export const ConfigSchema = Type.Object({
  instance: Type.Object({
    name: Type.String({ default: 'Livecast', minLength: 1 }),
    // Public base URL used in links shown to streamers (OBS settings) and viewers.
    publicUrl: Type.String({ default: '' }),
  }, { default: {} }),
  http: Type.Object({
    host: Type.String({ default: '0.0.0.0' }),
    port: Type.Integer({ default: 9000, minimum: 0, maximum: 65535 }),
    bodyLimitBytes: Type.Integer({ default: 1048576, minimum: 1024 }),
    // Whose X-Forwarded-For to believe (client IPs for rate limits and view counting): a reverse
    // proxy on this machine by default. Addresses or CIDRs, comma separated; 'loopback' for ::1/127/8.
    trustProxy: Type.String({ default: 'loopback' }),
  }, { default: {} }),
  rtmp: Type.Object({
    host: Type.String({ default: '0.0.0.0' }),
    // node-media-server cannot listen on an ephemeral port (0), so a real port is required.
    port: Type.Integer({ default: 1935, minimum: 1, maximum: 65535 }),
    // Public host name put in the RTMP URL shown to streamers; defaults to the public URL's host.
    publicHost: Type.String({ default: '' }),
    // Hostile-input limits (ingest/rtmp/guard.ts): the largest RTMP message (a 4K keyframe fits;
    // NMS would allocate the 16 MiB the header may claim), chunk streams per connection (OBS and
    // ffmpeg use about 5), and how long a connection may stay silent both ways before it is closed.
    maxMessageBytes: Type.Integer({ default: 8388608, minimum: 65536, maximum: 16777215, description: 'Largest RTMP message accepted, in bytes' }),
    maxChunkStreams: Type.Integer({ default: 16, minimum: 4, maximum: 1024, description: 'Chunk stream ids one RTMP connection may use' }),
    idleTimeoutSeconds: Type.Integer({ default: 30, minimum: 5, maximum: 3600, description: 'An RTMP connection silent this long is closed' }),
  }, { default: {} }),
  rtmps: Type.Object({
    port: Type.Integer({ default: 1936, minimum: 1, maximum: 65535 }),
    // RTMPS runs only when both are set (paths to PEM files).
    certFile: Type.String({ default: '' }),
    keyFile: Type.String({ default: '' }),
  }, { default: {} }),
  srt: Type.Object({
    // SRT ingest (OBS: srt://host:port?streamid=<stream key>). 0 turns it off.
    host: Type.String({ default: '0.0.0.0' }),
    port: Type.Integer({ default: 8890, minimum: 0, maximum: 65535 }),
  }, { default: {} }),
  webrtc: Type.Object({
    // WHIP ingest (OBS 30+) and WHEP playback.
    enabled: Type.Boolean({ default: true }),
    // The address put in ICE candidates when the server is behind NAT; empty: the interfaces' own.
    publicIp: Type.String({ default: '' }),
  }, { default: {} }),
  database: Type.Object({
    // When empty, an embedded Postgres runs with its data under storage.dataDir.
    url: Type.String({ default: '' }),
    embeddedPort: Type.Integer({ default: 54329, minimum: 1, maximum: 65535 }),
  }, { default: {} }),
  storage: Type.Object({
    dataDir: Type.String({ default: 'data' }),
  }, { default: {} }),
  admin: Type.Object({
    username: Type.String({ default: 'root', minLength: 1 }),
    // When empty, the first start generates one and prints it once.
    password: Type.String({ default: '' }),
    email: Type.String({ default: 'admin@localhost' }),
  }, { default: {} }),
  auth: Type.Object({
    // Failed guesses of a video password (x-peertube-video-password, chat join, /live-videos subscribe)
    // allowed per client address and per video in each window; beyond: 429 with Retry-After (sockets:
    // the error code too_many_requests), the right password included, until the window ends.
    videoPasswordFailuresPerIp: Type.Integer({ default: 10, minimum: 1, maximum: 100000 }),
    videoPasswordFailuresPerVideo: Type.Integer({ default: 100, minimum: 1, maximum: 1000000 }),
    // The same for the password grant of POST /users/token, per client address and per username.
    loginFailuresPerIp: Type.Integer({ default: 20, minimum: 1, maximum: 100000 }),
    loginFailuresPerUsername: Type.Integer({ default: 10, minimum: 1, maximum: 100000 }),
    guessWindowSeconds: Type.Integer({ default: 900, minimum: 1, maximum: 86400 }),
    // log2 of scrypt's N for new password hashes (OWASP: 17, 128 MiB each); older hashes are upgraded at login.
    passwordHashCost: Type.Integer({ default: 17, minimum: 14, maximum: 20 }),
    // scrypt computations at once: each holds one of libuv's 4 worker threads, which file reads share.
    scryptConcurrency: Type.Integer({ default: 2, minimum: 1, maximum: 64 }),
    // Computations waiting for a slot; more are refused with 429 rather than queued without end.
    scryptQueue: Type.Integer({ default: 64, minimum: 0, maximum: 100000 }),
  }, { default: {} }),
  signup: Type.Object({
    enabled: Type.Boolean({ default: false }),
  }, { default: {} }),
  ffmpeg: Type.Object({
    // Empty: the system ffmpeg on PATH, else the one shipped in @ffmpeg-installer/linux-x64.
    path: Type.String({ default: '' }),
    ffprobePath: Type.String({ default: '' }),
  }, { default: {} }),
  transcoding: Type.Object({
    // libx264, h264_nvenc, h264_vaapi, h264_qsv, copy, or auto (first that passes a one-frame trial).
    encoder: Type.Union([
      Type.Literal('libx264'), Type.Literal('h264_nvenc'), Type.Literal('h264_vaapi'),
      Type.Literal('h264_qsv'), Type.Literal('copy'), Type.Literal('auto'),
    ], { default: 'libx264' }),
    x264Preset: Type.String({ default: 'veryfast' }),
    vaapiDevice: Type.String({ default: '/dev/dri/renderD128' }),
    // Threads per ffmpeg; 0 lets ffmpeg decide.
    threads: Type.Integer({ default: 0, minimum: 0, maximum: 64 }),
    ladder: Type.Array(Rung, {
      default: [
        { height: 1080, videoBitrateKbps: 5000, audioBitrateKbps: 128 },
        { height: 720, videoBitrateKbps: 2800, audioBitrateKbps: 128 },
        { height: 480, videoBitrateKbps: 1400, audioBitrateKbps: 96 },
        { height: 360, videoBitrateKbps: 800, audioBitrateKbps: 96 },
      ],
    }),
    // Also offer the source as it came in (no re-encode) as the top rendition.
    passthrough: Type.Boolean({ default: false }),
  }, { default: {} }),
  uploads: Type.Object({
    // Larger files are refused with 413, before their body is read when the size is announced.
    maxFileSizeBytes: Type.Integer({ default: 8 * 1024 ** 3, minimum: 1 }),
    // Bytes of uploaded originals each user may keep; -1: unlimited. Over it: 403 (as PeerTube).
    userQuotaBytes: Type.Integer({ default: -1, minimum: -1 }),
    // Owners may re-upload the source of a video (PeerTube's /source/replace-resumable); off: 403.
    allowReplace: Type.Boolean({ default: false }),
    // An upload not completed this long after its creation is deleted (partial file, state, and the
    // quota its declared size held meanwhile). PeerTube keeps unfinished uploads a day too.
    unfinishedExpirySeconds: Type.Integer({
      default: 86400, minimum: 1, maximum: 30 * 86400,
      description: 'Seconds an unfinished upload is kept (and counts toward its owner\'s quota) before it is deleted',
    }),
  }, { default: {} }),
  live: Type.Object({
    // Kept for the WebRTC ingest's keyframe requests; segment and part sizes come from the latency mode.
    segmentSeconds: Type.Number({ default: 2, minimum: 0.5, maximum: 10 }),
    // How far back viewers can seek in a live (DVR). Segments older than this leave the playlist,
    // and the disk unless the replay is kept.
    dvrWindowSeconds: Type.Integer({ default: 300, minimum: 0, maximum: 86400 }),
    // A publisher that drops keeps its session this long: viewers see no "ended", and a publisher
    // who comes back with the same key continues the same session after a discontinuity.
    reconnectGraceSeconds: Type.Number({ default: 30, minimum: 0, maximum: 3600 }),
    // How many times a crashed transcoder is restarted for one session before the live errors out.
    maxTranscoderRestarts: Type.Integer({ default: 5, minimum: 0, maximum: 100 }),
  }, { default: {} }),
  chat: Type.Object({
    enabled: Type.Boolean({ default: true }),
    // Anonymous viewers chat under a generated nick; off: only logged-in users may post.
    allowAnonymous: Type.Boolean({ default: true }),
    maxMessageLength: Type.Integer({ default: 500, minimum: 1, maximum: 10000 }),
    // Messages a newcomer receives on joining a room.
    historySize: Type.Integer({ default: 50, minimum: 0, maximum: 1000 }),
    // Anti-flood, for everyone but moderators: at most `floodMessages` messages per `floodSeconds`.
    floodMessages: Type.Integer({ default: 5, minimum: 1, maximum: 1000 }),
    floodSeconds: Type.Number({ default: 5, minimum: 0.1, maximum: 3600 }),
    // A ban or timeout of an account also covers the addresses (salted IP hashes) its chat sockets
    // came from in the last `accountBanAddressHours` hours, at most `accountBanMaxAddresses` of them
    // (the most recent): logging out does not get around it. 0 hours: the account only.
    accountBanAddressHours: Type.Integer({ default: 24, minimum: 0, maximum: 8760 }),
    accountBanMaxAddresses: Type.Integer({ default: 5, minimum: 1, maximum: 100 }),
    xmpp: Type.Object({
      // The bridge to an XMPP server (XEP-0114 component): one MUC room per live.
      enabled: Type.Boolean({ default: false }),
      // The XMPP server's component port (Prosody: component_ports, 5347).
      host: Type.String({ default: '127.0.0.1' }),
      port: Type.Integer({ default: 5347, minimum: 1, maximum: 65535 }),
      // The component's domain and shared secret, as declared on the XMPP server.
      componentDomain: Type.String({ default: 'livecast.localhost' }),
      componentSecret: Type.String({ default: '' }),
      // The MUC service the rooms live on; the watch page shows xmpp:<room>@<mucDomain>?join.
      mucDomain: Type.String({ default: 'conference.localhost' }),
    }, { default: {} }),
  }, { default: {} }),
  jobs: Type.Object({
    // How long one run of a job may take before pg-boss fails it, stops it (its ffmpeg is killed)
    // and retries it. A transcode takes about as long as its video at the default preset, so its
    // bound is long (pg-boss allows 24 h at most); the heartbeat, not this, notices a crashed server.
    transcodeTimeoutSeconds: Type.Integer({ default: 6 * 3600, minimum: 10, maximum: 86400 }),
    replayTimeoutSeconds: Type.Integer({ default: 3600, minimum: 10, maximum: 86400 }),
    storyboardTimeoutSeconds: Type.Integer({ default: 3600, minimum: 10, maximum: 86400 }),
    // A running job's worker writes a heartbeat every half of this; a job not heard from for this
    // long (its server died) is failed and retried at once instead of after its whole timeout.
    heartbeatSeconds: Type.Integer({ default: 60, minimum: 10, maximum: 3600 }),
  }, { default: {} }),
  log: Type.Object({
    level: Type.Union([
      Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error'), Type.Literal('silent'),
    ], { default: 'info' }),
  }, { default: {} }),
}, { default: {} });

export type Config = Static<typeof ConfigSchema>;
