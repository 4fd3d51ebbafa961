// The steps from a publisher's feed to a ready-to-start transcoder, shared by the live manager
// and the transcode benchmark so that the benchmark measures exactly what the server runs.
import { mkdirSync } from 'node:fs';
import type { Config, Logger } from '../config/index.ts';
import type { MediaFeed, SourceInfo } from '../ingest/index.ts';
import type { CapabilitySettings, EncoderSelection } from './encoders/capabilities.ts';
import type { Rendition } from './encoders/types.ts';
import { selectRenditions } from './ladder.ts';
import { LiveTranscoder } from './live-transcoder.ts';

/** How long a new publisher has to announce its video size and tracks. */
export const DESCRIBE_TIMEOUT_MS = 5000;
/** Assumed when a publisher never says its size (rare: OBS and ffmpeg both send onMetaData). */
export const FALLBACK_SOURCE_HEIGHT = 720;

export function encoderSettingsFromConfig(config: Config, ffmpegPath: string): CapabilitySettings {
  return {
    ffmpegPath,
    encoder: config.transcoding.encoder,
    x264Preset: config.transcoding.x264Preset,
    vaapiDevice: config.transcoding.vaapiDevice,
    threads: config.transcoding.threads,
    keyframeSeconds: config.live.segmentSeconds,
  };
}

/** The ladder for one source: the copy back-end offers the source alone. */
export function renditionsFor(config: Config, encoder: EncoderSelection, sourceHeight: number): Rendition[] {
  if (encoder.backend.id === 'copy') return selectRenditions([], sourceHeight, true);
  return selectRenditions(config.transcoding.ladder, sourceHeight, config.transcoding.passthrough);
}

export interface PrepareOptions {
  config: Config;
  encoder: EncoderSelection;
  ffmpegPath: string;
  feed: MediaFeed;
  outputDir: string;
  log: Logger;
}

export interface PreparedTranscoder {
  source: SourceInfo;
  sourceHeight: number;
  renditions: Rendition[];
  /** Not started: attach listeners, then call start(). */
  transcoder: LiveTranscoder;
}

export async function prepareLiveTranscoder(options: PrepareOptions): Promise<PreparedTranscoder> {
  const { config, log } = options;
  const source = await options.feed.describe(DESCRIBE_TIMEOUT_MS);
  if (!source.height) log.warn(`the publisher did not announce its video size, assuming ${FALLBACK_SOURCE_HEIGHT}p`);
  const sourceHeight = source.height || FALLBACK_SOURCE_HEIGHT;
  const renditions = renditionsFor(config, options.encoder, sourceHeight);
  mkdirSync(options.outputDir, { recursive: true });
  const transcoder = new LiveTranscoder({
    ffmpegPath: options.ffmpegPath,
    selection: options.encoder,
    renditions,
    hasAudio: source.hasAudio,
    outputDir: options.outputDir,
    segmentSeconds: config.live.segmentSeconds,
    playlistSize: config.live.playlistSize,
    maxRestarts: config.live.maxTranscoderRestarts,
    feed: options.feed,
    log,
  });
  return { source, sourceHeight, renditions, transcoder };
}
