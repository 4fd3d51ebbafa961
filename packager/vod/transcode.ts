// Runs an on-demand transcode to HLS, reports progress, then writes the master playlist and a
// thumbnail. The caller decides what a failure means for the video.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { spawnFfmpeg, runFfmpeg } from '../ffmpeg-process.ts';
import { selectRenditions, type LadderRungSetting } from '../ladder.ts';
import { codecsOf, Fmp4StreamParser, primaryTrack } from '../fmp4/index.ts';
import { writeMasterPlaylist, MASTER_PLAYLIST_NAME, type VariantStream } from '../hls/index.ts';
import type { Capabilities, EncoderBackend } from '../encoders/types.ts';
import { x264 } from '../encoders/x264.ts';
import { buildVodCommand, parseProgressLine, VOD_INIT_NAME } from './command.ts';
import type { SourceInfo } from './probe.ts';
import { uploadedInputArgs } from './input.ts';

export interface VodTranscodeOptions {
  ffmpegPath: string;
  input: string;
  source: SourceInfo;
  /** A folder of this run alone (the caller reserves it): a second run of the same job never writes here. */
  outputDir: string;
  ladder: LadderRungSetting[];
  backend: EncoderBackend;
  caps: Capabilities;
  segmentSeconds?: number;
  /** Percent done (0–100), called whenever ffmpeg reports; the caller throttles. */
  onProgress?: (percent: number) => void;
  /** The job's abort signal: ffmpeg is stopped and TranscodeAbortedError thrown. */
  signal?: AbortSignal;
}

export interface VodResult { durationSeconds: number; renditions: number[]; thumbnail: boolean }

/** ffmpeg could not make the video from this source: a retry would fail the same way. */
export class TranscodeError extends Error {}
/** The run was stopped from outside (its job expired, lost its claim, or the server stops): retry it. */
export class TranscodeAbortedError extends Error {}

export const VOD_THUMBNAIL = 'thumbnail.jpg';

function playlistDuration(file: string): number {
  let total = 0;
  for (const match of readFileSync(file, 'utf8').matchAll(/#EXTINF:([\d.]+)/g)) total += Number(match[1]);
  return total;
}

function variantOf(dir: string, index: number, configuredKbps: number): VariantStream {
  const variant: VariantStream = { index, bandwidth: configuredKbps * 1000 };
  const init = new Fmp4StreamParser().push(readFileSync(join(dir, VOD_INIT_NAME))).find((event) => event.type === 'init');
  if (init?.type === 'init') {
    variant.codecs = codecsOf(init.init);
    variant.width = primaryTrack(init.init).width;
    variant.height = primaryTrack(init.init).height;
  }
  const duration = playlistDuration(join(dir, 'index.m3u8'));
  const bytes = readdirSync(dir).filter((name) => name.endsWith('.m4s')).reduce((total, name) => total + statSync(join(dir, name)).size, 0);
  if (duration > 0) variant.averageBandwidth = Math.ceil((bytes * 8) / duration);
  variant.bandwidth = Math.max(variant.bandwidth, Math.ceil((variant.averageBandwidth ?? 0) * 1.5));
  return variant;
}

export async function transcodeToVod(options: VodTranscodeOptions): Promise<VodResult> {
  const { source } = options;
  // Copy cannot build a ladder: on-demand always encodes, with the selected encoder or x264.
  const backend = options.backend.id === 'copy' ? x264 : options.backend;
  const renditions = selectRenditions(options.ladder, source.height, false);
  for (const rung of renditions) mkdirSync(join(options.outputDir, String(rung.index)), { recursive: true });
  const args = buildVodCommand({
    input: options.input, outputDir: options.outputDir, renditions, backend, caps: options.caps,
    hasAudio: source.hasAudio, segmentSeconds: options.segmentSeconds ?? 4,
  });
  const handle = spawnFfmpeg(options.ffmpegPath, args, { outputPipes: 1, signal: options.signal });
  const lines = createInterface({ input: handle.outputs[0] });
  lines.on('line', (line) => {
    const position = parseProgressLine(line);
    if (position === undefined) return;
    options.onProgress?.(position === 'end' ? 100 : Math.min(99, (position / source.durationSeconds) * 100));
  });
  const { code, signal } = await handle.exited;
  if (options.signal?.aborted) throw new TranscodeAbortedError('The transcode was stopped (its job was aborted)');
  if (code !== 0) {
    const reason = handle.stderrTail().split('\n').slice(-3).join(' ').replaceAll(options.input, 'source');
    throw new TranscodeError(`Transcoding failed (ffmpeg ${code ?? signal})${reason ? `: ${reason}` : ''}`);
  }
  const variants = renditions.map((rung) => variantOf(join(options.outputDir, String(rung.index)), rung.index, rung.videoBitrateKbps + rung.audioBitrateKbps));
  writeFileSync(join(options.outputDir, MASTER_PLAYLIST_NAME), writeMasterPlaylist(variants));
  const durationSeconds = playlistDuration(join(options.outputDir, String(renditions[0].index), 'index.m3u8'));
  const thumbnailFile = join(options.outputDir, VOD_THUMBNAIL);
  const shot = await runFfmpeg(options.ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-y',
    '-ss', (source.durationSeconds / 2).toFixed(2), ...uploadedInputArgs(options.input),
    '-frames:v', '1', '-vf', 'scale=-2:360', '-q:v', '4', thumbnailFile], 30_000, options.signal);
  if (options.signal?.aborted) throw new TranscodeAbortedError('The transcode was stopped (its job was aborted)');
  return { durationSeconds, renditions: renditions.map((rung) => rung.index), thumbnail: shot.code === 0 && existsSync(thumbnailFile) };
}
