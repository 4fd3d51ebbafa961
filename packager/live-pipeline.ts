// The steps from a publisher's feed to a ready-to-start transcoder and its LL-HLS output, shared
// by the live manager and the transcode benchmark so that the benchmark measures what the server runs.
import { join } from 'node:path';
import type { Config, Logger } from '../config/index.ts';
import type { MediaFeed, SourceInfo } from '../ingest/contracts.ts';
import type { CapabilitySettings, EncoderSelection } from './encoders/capabilities.ts';
import type { Rendition } from './encoders/types.ts';
import { LiveHls, latencyProfile, type LatencyProfile } from './hls/index.ts';
import { createDiskSink, type DiskSink } from './hls-disk-sink.ts';
import { selectRenditions } from './ladder.ts';
import { LiveTranscoder } from './live-transcoder.ts';

/** How long a new publisher has to announce its video size and tracks. */
const DESCRIBE_TIMEOUT_MS = 5000;
/** Assumed when a publisher never says its size (rare: OBS and ffmpeg both send onMetaData). */
const FALLBACK_SOURCE_HEIGHT = 720;
/** A guess for the source rendition's bandwidth until the packager has measured it. */
const PASSTHROUGH_BANDWIDTH_GUESS = 6_000_000;
/** Segments kept on disk past the playlist window, for players still fetching the oldest ones. */
const DISK_MARGIN_SEGMENTS = 3;

export function encoderSettingsFromConfig(config: Config, ffmpegPath: string): CapabilitySettings {
  return {
    ffmpegPath,
    encoder: config.transcoding.encoder,
    x264Preset: config.transcoding.x264Preset,
    vaapiDevice: config.transcoding.vaapiDevice,
    threads: config.transcoding.threads,
  };
}

/** The ladder for one source: the copy back-end offers the source alone. */
export function renditionsFor(config: Config, encoder: EncoderSelection, sourceHeight: number): Rendition[] {
  if (encoder.backend.id === 'copy') return selectRenditions([], sourceHeight, true);
  return selectRenditions(config.transcoding.ladder, sourceHeight, config.transcoding.passthrough);
}

/** Segments listed in a live playlist: the latency mode's window, or the DVR window if longer. */
function playlistSegmentsFor(profile: LatencyProfile, dvrWindowSeconds: number): number {
  return Math.max(profile.playlistSegments, Math.ceil(dvrWindowSeconds / profile.segmentSeconds));
}

export interface PrepareOptions {
  config: Config;
  encoder: EncoderSelection;
  ffmpegPath: string;
  feed: MediaFeed;
  /** PeerTube's latencyMode of the live: 1 default, 2 high latency, 3 small latency. */
  latencyMode: 1 | 2 | 3;
  /** Keep every segment on disk (the replay is made from them); otherwise only the DVR window. */
  keepAllSegments: boolean;
  outputDir: string;
  log: Logger;
}

export interface PreparedTranscoder {
  source: SourceInfo;
  sourceHeight: number;
  renditions: Rendition[];
  profile: LatencyProfile;
  /** The session's packager: playlists, parts and segments, served from memory. */
  output: LiveHls;
  sinks: DiskSink[];
  /** Not started: attach listeners, then call start(). */
  transcoder: LiveTranscoder;
}

export async function prepareLiveTranscoder(options: PrepareOptions): Promise<PreparedTranscoder> {
  const { config, log } = options;
  const source = await options.feed.describe(DESCRIBE_TIMEOUT_MS);
  if (!source.height) log.warn(`the publisher did not announce its video size, assuming ${FALLBACK_SOURCE_HEIGHT}p`);
  const sourceHeight = source.height || FALLBACK_SOURCE_HEIGHT;
  const renditions = renditionsFor(config, options.encoder, sourceHeight);
  const profile = latencyProfile(options.latencyMode);
  const playlistSegments = playlistSegmentsFor(profile, config.live.dvrWindowSeconds);
  const sinks: DiskSink[] = [];
  const output = new LiveHls({
    profile,
    playlistSegments,
    // Memory holds the low-latency window; older DVR segments are read back from disk.
    memorySegments: profile.playlistSegments,
    renditions: renditions.map((rung) => ({
      index: rung.index,
      bandwidth: rung.passthrough ? PASSTHROUGH_BANDWIDTH_GUESS : (rung.videoBitrateKbps + rung.audioBitrateKbps) * 1000,
    })),
    sinkFor: (index) => {
      const sink = createDiskSink({
        dir: join(options.outputDir, String(index)),
        keepSegments: options.keepAllSegments ? undefined : playlistSegments + DISK_MARGIN_SEGMENTS,
        log,
      });
      sinks.push(sink);
      return sink;
    },
  });
  const transcoder = new LiveTranscoder({
    ffmpegPath: options.ffmpegPath,
    selection: options.encoder,
    renditions,
    hasAudio: source.hasAudio,
    profile,
    maxRestarts: config.live.maxTranscoderRestarts,
    feed: options.feed,
    output,
    log,
  });
  return { source, sourceHeight, renditions, profile, output, sinks, transcoder };
}
