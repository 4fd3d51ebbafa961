// ffmpeg arguments of an on-demand transcode: one input file, one HLS output per rendition
// (fMP4 segments, VOD playlist), progress written as key=value lines on pipe:3. Pure: no I/O.
import type { Capabilities, EncoderBackend, Rendition } from '../encoders/types.ts';
import { uploadedInputArgs } from './input.ts';

export interface VodCommandOptions {
  /** The uploaded file: opened with the demuxer and protocol allow-lists of ./input.ts. */
  input: string;
  /** The rendition folders `<outputDir>/<index>/` must exist. */
  outputDir: string;
  renditions: Rendition[];
  backend: EncoderBackend;
  caps: Capabilities;
  hasAudio: boolean;
  segmentSeconds: number;
}

const PROGRESS_FD = 3;
export const VOD_INIT_NAME = 'init.mp4';

export function buildVodCommand(options: VodCommandOptions): string[] {
  const { renditions, backend, caps, hasAudio } = options;
  const args = ['-hide_banner', '-loglevel', 'warning', '-nostats', '-progress', `pipe:${PROGRESS_FD}`, '-y'];
  if (caps.threads > 0) args.push('-threads', String(caps.threads));
  args.push(...backend.inputArgs(caps), ...uploadedInputArgs(options.input));
  const split = renditions.length === 1
    ? '[0:v:0]null[s0]'
    : `[0:v:0]split=${renditions.length}${renditions.map((_, position) => `[s${position}]`).join('')}`;
  args.push('-filter_complex', [split, ...renditions.map((rung, position) => `[s${position}]${backend.filters(rung, caps)}[v${rung.index}]`)].join(';'));
  for (const rung of renditions) {
    const dir = `${options.outputDir}/${rung.index}`;
    args.push('-map', `[v${rung.index}]`);
    if (hasAudio) args.push('-map', '0:a:0');
    args.push(...backend.variantArgs({ ...rung, index: 0 }, caps));
    // The same cut points in every rendition, so that players switch between them cleanly.
    args.push('-force_key_frames:v:0', `expr:gte(t,n_forced*${options.segmentSeconds})`, '-sc_threshold', '0');
    if (hasAudio) args.push('-c:a:0', 'aac', '-b:a:0', `${rung.audioBitrateKbps}k`, '-ac:a:0', '2');
    args.push(
      '-max_muxing_queue_size', '1024',
      '-f', 'hls', '-hls_time', String(options.segmentSeconds), '-hls_playlist_type', 'vod',
      '-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', VOD_INIT_NAME,
      '-hls_segment_filename', `${dir}/segment-%d.m4s`, `${dir}/index.m3u8`,
    );
  }
  return args;
}

/** Reads ffmpeg's `-progress` lines: the position reached, in seconds, or 'end'. */
export function parseProgressLine(line: string): number | 'end' | undefined {
  const [key, value] = line.trim().split('=', 2);
  if (key === 'progress' && value === 'end') return 'end';
  // out_time_ms is microseconds too (a long-standing ffmpeg naming slip).
  if ((key === 'out_time_us' || key === 'out_time_ms') && /^\d+$/.test(value ?? '')) return Number(value) / 1_000_000;
  return undefined;
}
