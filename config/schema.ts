// The single source of every setting: its type, its default, its bounds and its `description`.
// Environment variables are derived from the path: `rtmp.port` -> RTMP_PORT (config/load.ts).
// config.example.yaml is generated from this file (`npm run config:example`): the descriptions are
// what an operator reads there, so every setting and section has one, with its unit.
import Type, { type Static } from 'typebox';

const Rung = Type.Object({
  height: Type.Integer({ minimum: 144, maximum: 4320, description: 'Picture height in pixels' }),
  videoBitrateKbps: Type.Integer({ minimum: 100, maximum: 100000, description: 'Video bitrate in kbit/s' }),
  audioBitrateKbps: Type.Integer({ minimum: 32, maximum: 512, default: 128, description: 'Audio bitrate in kbit/s' }),
}, { description: 'One rendition of the ladder' });

export const ConfigSchema = Type.Object({
  instance: Type.Object({
    name: Type.String({ default: 'Livecast', minLength: 1, description: 'The instance\'s name, shown in the page header and in /api/v1/config' }),
    publicUrl: Type.String({
      default: '',
      description: 'Public base URL (https://tv.example.org) used in the links shown to streamers (OBS settings) and viewers; empty: the address the request came to',
    }),
  }, { default: {}, description: 'This server as its users see it' }),
  http: Type.Object({
    host: Type.String({ default: '0.0.0.0', description: 'Address the web UI and the API listen on' }),
    port: Type.Integer({ default: 9000, minimum: 0, maximum: 65535, description: 'TCP port of the web UI and the API; 0: any free port' }),
    bodyLimitBytes: Type.Integer({ default: 1048576, minimum: 1024, description: 'Largest JSON or form request body, in bytes (uploads have their own limit)' }),
    // A reverse proxy on this machine by default: anyone else could forge the header.
    trustProxy: Type.String({
      default: 'loopback',
      description: 'Whose X-Forwarded-For to believe for client addresses (rate limits, view counting): addresses or CIDRs, comma separated; \'loopback\' for ::1 and 127.0.0.0/8',
    }),
  }, { default: {}, description: 'The HTTP server: web UI, API, HLS and WHIP/WHEP' }),
  rtmp: Type.Object({
    host: Type.String({ default: '0.0.0.0', description: 'Address the RTMP ingest listens on' }),
    // node-media-server cannot listen on an ephemeral port (0), so a real port is required.
    port: Type.Integer({ default: 1935, minimum: 1, maximum: 65535, description: 'TCP port of the RTMP ingest (0 is not allowed)' }),
    publicHost: Type.String({ default: '', description: 'Host name put in the RTMP URL shown to streamers; empty: the host of instance.publicUrl, else the one the streamer reached' }),
    // Hostile-input limits (ingest/rtmp/guard.ts): a 4K keyframe fits in the default message size,
    // where NMS would allocate the 16 MiB the header may claim; OBS and ffmpeg use about 5 chunk streams.
    maxMessageBytes: Type.Integer({ default: 8388608, minimum: 65536, maximum: 16777215, description: 'Largest RTMP message accepted, in bytes' }),
    maxChunkStreams: Type.Integer({ default: 16, minimum: 4, maximum: 1024, description: 'Chunk stream ids one RTMP connection may use' }),
    idleTimeoutSeconds: Type.Integer({ default: 30, minimum: 5, maximum: 3600, description: 'An RTMP connection silent this long (seconds, both ways) is closed' }),
  }, { default: {}, description: 'RTMP ingest (OBS: rtmp://host:port/live, stream key)' }),
  rtmps: Type.Object({
    port: Type.Integer({ default: 1936, minimum: 1, maximum: 65535, description: 'TCP port of the RTMPS (RTMP over TLS) ingest' }),
    certFile: Type.String({ default: '', description: 'Path to the TLS certificate (PEM); RTMPS runs only when both certFile and keyFile are set' }),
    keyFile: Type.String({ default: '', description: 'Path to the TLS private key (PEM)' }),
  }, { default: {}, description: 'RTMPS ingest, on the same address as RTMP' }),
  srt: Type.Object({
    host: Type.String({ default: '0.0.0.0', description: 'Address the SRT ingest listens on' }),
    port: Type.Integer({ default: 8890, minimum: 0, maximum: 65535, description: 'UDP port of the SRT ingest; 0 turns SRT off' }),
  }, { default: {}, description: 'SRT ingest (OBS: srt://host:port?streamid=<stream key>)' }),
  webrtc: Type.Object({
    enabled: Type.Boolean({ default: true, description: 'Offer WHIP ingest (OBS 30+) and WHEP playback; off: their endpoints answer 404' }),
    publicIp: Type.String({ default: '', description: 'Address announced in ICE candidates when the server is behind NAT; empty: the interfaces\' own' }),
  }, { default: {}, description: 'WebRTC: WHIP ingest and WHEP playback, on the HTTP port' }),
  database: Type.Object({
    url: Type.String({ default: '', description: 'PostgreSQL connection URL (postgres://user:password@host:port/db); empty: an embedded Postgres with its data under storage.dataDir' }),
    embeddedPort: Type.Integer({ default: 54329, minimum: 1, maximum: 65535, description: 'TCP port of the embedded Postgres (used when url is empty)' }),
  }, { default: {}, description: 'The PostgreSQL database' }),
  storage: Type.Object({
    dataDir: Type.String({ default: 'data', description: 'Folder for media, uploads and the embedded database, relative to the working folder' }),
  }, { default: {}, description: 'Files on disk' }),
  admin: Type.Object({
    username: Type.String({ default: 'root', minLength: 1, description: 'User name of the administrator account created at the first start' }),
    password: Type.String({ default: '', description: 'Its password; empty: the first start generates one and prints it once' }),
    email: Type.String({ default: 'admin@localhost', description: 'Its e-mail address' }),
  }, { default: {}, description: 'The administrator account created when the database has no users' }),
  auth: Type.Object({
    videoPasswordFailuresPerIp: Type.Integer({
      default: 10, minimum: 1, maximum: 100000,
      description: 'Wrong video passwords (x-peertube-video-password, chat join, /live-videos subscribe) allowed per client address and video in each guessWindowSeconds; beyond: 429 with Retry-After (sockets: too_many_requests), the right password included, until the window ends',
    }),
    videoPasswordFailuresPerVideo: Type.Integer({ default: 100, minimum: 1, maximum: 1000000, description: 'Wrong passwords allowed per video in each window, from all addresses together' }),
    loginFailuresPerIp: Type.Integer({ default: 20, minimum: 1, maximum: 100000, description: 'Failed logins (password grant of POST /users/token) allowed per client address in each window' }),
    loginFailuresPerUsername: Type.Integer({ default: 10, minimum: 1, maximum: 100000, description: 'Failed logins allowed per user name in each window' }),
    guessWindowSeconds: Type.Integer({ default: 900, minimum: 1, maximum: 86400, description: 'Length of the window the failure limits above count in, in seconds' }),
    passwordHashCost: Type.Integer({ default: 17, minimum: 14, maximum: 20, description: 'log2 of scrypt\'s N for new password hashes (OWASP: 17, 128 MiB each); older hashes are upgraded at login' }),
    // Each computation holds one of libuv's 4 worker threads, which file reads share.
    scryptConcurrency: Type.Integer({ default: 2, minimum: 1, maximum: 64, description: 'Password hash computations run at once' }),
    scryptQueue: Type.Integer({ default: 64, minimum: 0, maximum: 100000, description: 'Password hash computations waiting for a slot; more are refused with 429 rather than queued without end' }),
  }, { default: {}, description: 'Logins, passwords and guess limits' }),
  signup: Type.Object({
    enabled: Type.Boolean({ default: false, description: 'Anyone may create an account (POST /users/register); off: 403' }),
  }, { default: {}, description: 'Registration of new users' }),
  ffmpeg: Type.Object({
    path: Type.String({ default: '', description: 'Path to ffmpeg; empty: the system ffmpeg on PATH, else the one shipped in @ffmpeg-installer/linux-x64' }),
    ffprobePath: Type.String({ default: '', description: 'Path to ffprobe; empty: found the same way' }),
  }, { default: {}, description: 'The ffmpeg programs' }),
  transcoding: Type.Object({
    encoder: Type.Union([
      Type.Literal('libx264'), Type.Literal('h264_nvenc'), Type.Literal('h264_vaapi'),
      Type.Literal('h264_qsv'), Type.Literal('copy'), Type.Literal('auto'),
    ], { default: 'libx264', description: 'H.264 encoder; auto: the first that passes a one-frame trial (NVENC, VAAPI, QSV, then libx264)' }),
    x264Preset: Type.String({ default: 'veryfast', description: 'libx264 preset (ultrafast … veryslow): slower gives a better picture for more CPU' }),
    vaapiDevice: Type.String({ default: '/dev/dri/renderD128', description: 'DRM render node used by h264_vaapi' }),
    threads: Type.Integer({ default: 0, minimum: 0, maximum: 64, description: 'Threads per ffmpeg; 0 lets ffmpeg decide' }),
    ladder: Type.Array(Rung, {
      default: [
        { height: 1080, videoBitrateKbps: 5000, audioBitrateKbps: 128 },
        { height: 720, videoBitrateKbps: 2800, audioBitrateKbps: 128 },
        { height: 480, videoBitrateKbps: 1400, audioBitrateKbps: 96 },
        { height: 360, videoBitrateKbps: 800, audioBitrateKbps: 96 },
      ],
      description: 'The renditions offered (height, bitrates); those taller than the source are left out',
    }),
    passthrough: Type.Boolean({ default: false, description: 'Also offer the source as it came in (no re-encode) as the top rendition' }),
  }, { default: {}, description: 'Transcoding of lives and uploads' }),
  uploads: Type.Object({
    maxFileSizeBytes: Type.Integer({ default: 8 * 1024 ** 3, minimum: 1, description: 'Largest upload, in bytes; larger files are refused with 413, before their body is read when the size is announced' }),
    userQuotaBytes: Type.Integer({ default: -1, minimum: -1, description: 'Bytes of uploaded originals each user may keep; -1: unlimited. Over it: 403 (as PeerTube)' }),
    allowReplace: Type.Boolean({ default: false, description: 'Owners may re-upload the source of a video (PeerTube\'s /source/replace-resumable); off: 403' }),
    // PeerTube keeps unfinished uploads a day too.
    unfinishedExpirySeconds: Type.Integer({
      default: 86400, minimum: 1, maximum: 30 * 86400,
      description: 'Seconds an unfinished upload is kept (and counts toward its owner\'s quota) before it is deleted',
    }),
  }, { default: {}, description: 'Video uploads' }),
  live: Type.Object({
    // Segment and part sizes come from each live's latency mode, not from here.
    segmentSeconds: Type.Number({ default: 2, minimum: 0.5, maximum: 10, description: 'Keyframe interval asked of WebRTC (WHIP) publishers, in seconds' }),
    dvrWindowSeconds: Type.Integer({
      default: 300, minimum: 0, maximum: 86400,
      description: 'How far back viewers can seek in a live (DVR), in seconds; older segments leave the playlist, and the disk unless the replay is kept',
    }),
    reconnectGraceSeconds: Type.Number({
      default: 30, minimum: 0, maximum: 3600,
      description: 'Seconds a publisher that drops keeps its session: viewers see no end, and a publisher back with the same key continues the same session',
    }),
    maxTranscoderRestarts: Type.Integer({ default: 5, minimum: 0, maximum: 100, description: 'Times a crashed transcoder is restarted for one session before the live errors out' }),
  }, { default: {}, description: 'Lives' }),
  chat: Type.Object({
    allowAnonymous: Type.Boolean({ default: true, description: 'Anonymous viewers chat under a generated nick; off: only logged-in users may post' }),
    maxMessageLength: Type.Integer({ default: 500, minimum: 1, maximum: 10000, description: 'Longest chat message, in characters' }),
    historySize: Type.Integer({ default: 50, minimum: 0, maximum: 1000, description: 'Messages a newcomer receives on joining a room' }),
    floodMessages: Type.Integer({ default: 5, minimum: 1, maximum: 1000, description: 'Anti-flood, for everyone but moderators: at most this many messages per floodSeconds' }),
    floodSeconds: Type.Number({ default: 5, minimum: 0.1, maximum: 3600, description: 'The anti-flood window, in seconds' }),
    // So that logging out does not get around a ban.
    accountBanAddressHours: Type.Integer({
      default: 24, minimum: 0, maximum: 8760,
      description: 'A ban or timeout of an account also covers the addresses (salted IP hashes) its chat sockets came from in this many hours; 0: the account only',
    }),
    accountBanMaxAddresses: Type.Integer({ default: 5, minimum: 1, maximum: 100, description: 'At most this many of those addresses, the most recent' }),
    xmpp: Type.Object({
      enabled: Type.Boolean({ default: false, description: 'Bridge the chat to an XMPP server (XEP-0114 component): one MUC room per live' }),
      host: Type.String({ default: '127.0.0.1', description: 'Address of the XMPP server\'s component port' }),
      port: Type.Integer({ default: 5347, minimum: 1, maximum: 65535, description: 'The XMPP server\'s component port (Prosody: component_ports)' }),
      componentDomain: Type.String({ default: 'livecast.localhost', description: 'The component\'s domain, as declared on the XMPP server' }),
      componentSecret: Type.String({ default: '', description: 'The component\'s shared secret, as declared on the XMPP server' }),
      mucDomain: Type.String({ default: 'conference.localhost', description: 'The MUC service the rooms live on; the watch page shows xmpp:<room>@<mucDomain>?join' }),
    }, { default: {}, description: 'The bridge to an XMPP server (docs/CHAT.md)' }),
  }, { default: {}, description: 'The live chat' }),
  jobs: Type.Object({
    // pg-boss allows 24 h at most; the heartbeat, not this, notices a crashed server.
    transcodeTimeoutSeconds: Type.Integer({
      default: 6 * 3600, minimum: 10, maximum: 86400,
      description: 'Seconds one run of an upload\'s transcode may take before it is failed, stopped (its ffmpeg killed) and retried; a transcode takes about as long as its video at the default preset',
    }),
    replayTimeoutSeconds: Type.Integer({ default: 3600, minimum: 10, maximum: 86400, description: 'The same for the job that turns a live into its replay, in seconds' }),
    storyboardTimeoutSeconds: Type.Integer({ default: 3600, minimum: 10, maximum: 86400, description: 'The same for the storyboard (seek preview) job, in seconds' }),
    heartbeatSeconds: Type.Integer({
      default: 60, minimum: 10, maximum: 3600,
      description: 'A running job writes a heartbeat every half of this; one not heard from this many seconds (its server died) is failed and retried at once',
    }),
  }, { default: {}, description: 'Background jobs (pg-boss, in the database)' }),
  log: Type.Object({
    level: Type.Union([
      Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error'), Type.Literal('silent'),
    ], { default: 'info', description: 'Least severe log level written' }),
  }, { default: {}, description: 'Logging' }),
}, { default: {} });

export type Config = Static<typeof ConfigSchema>;
