// Everything the routes need, built once in server.ts and passed down explicitly.
import type pg from 'pg';
import type { Config, Logger } from '../config/index.ts';
import type { EncoderSelection, FfmpegBinary } from '../packager/index.ts';
import type { LiveManager } from './live/live-manager.ts';
import type { MediaAccess } from './media/access.ts';

export interface IngestEndpoints {
  rtmpPort: number;
  rtmpsPort: number | undefined;
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
  /** Live viewer count per video id, from the realtime channel. */
  viewersOf(videoId: number): number;
}
