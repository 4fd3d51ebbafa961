// Everything the routes need, built once in server.ts and passed down explicitly.
import type pg from 'pg';
import type { Config, Logger } from '../config/index.ts';
import type { WhipEndpoint } from '../ingest/whip/index.ts';
import type { WhepManager } from '../packager/whep/index.ts';
import type { EncoderSelection, FfmpegBinary } from '../packager/index.ts';
import type { LiveManager } from '../core/live/live-manager.ts';
import type { MediaAccess } from '../core/media-access/access.ts';
import type { UploadService } from '../core/uploads/upload-service.ts';
import type { ChatService } from '../chat/service.ts';

export interface IngestEndpoints {
  rtmpPort: number;
  rtmpsPort: number | undefined;
  /** Undefined when SRT ingest is off (srt.port 0, or an ffmpeg without libsrt). */
  srtPort: number | undefined;
}

/** WHIP ingest and WHEP playback (webrtc.enabled). */
export interface WebRtcServices {
  whip: WhipEndpoint;
  whep: WhepManager;
  /** webrtc.publicIp: announced in ICE candidates besides the interfaces' own addresses. */
  publicIp: string;
}

export interface AppContext {
  config: Config;
  pool: pg.Pool;
  log: Logger;
  lives: LiveManager;
  ffmpeg: FfmpegBinary;
  encoder: EncoderSelection;
  mediaRoot: string;
  ingest: IngestEndpoints;
  mediaAccess: MediaAccess;
  /** Video uploads (tus, PeerTube multipart and resumable). */
  uploads: UploadService;
  /** The live chat's rules (chat/service.ts); its socket side is attached next to the HTTP server. */
  chat: ChatService;
  /** Undefined when webrtc.enabled is false. */
  webrtc?: WebRtcServices;
  /** Live viewer count per video id, from the realtime channel. */
  viewersOf(videoId: number): number;
}
