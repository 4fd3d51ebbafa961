// Builds the ffmpeg arguments for one live: FLV on stdin in, an HLS ladder with fMP4 segments out.
import { join } from 'node:path';
import type { Capabilities, EncoderBackend, Rendition } from './encoders/types.ts';
import { copy } from './encoders/copy.ts';

export interface LiveCommandOptions {
  renditions: Rendition[];
  backend: EncoderBackend;
  caps: Capabilities;
  hasAudio: boolean;
  outputDir: string;
  segmentSeconds: number;
  playlistSize: number;
  /** A restart after a crash: continue the playlists after a discontinuity. */
  resume: boolean;
}

export const MASTER_PLAYLIST = 'master.m3u8';
export const VARIANT_PLAYLIST = 'index.m3u8';

function filterGraph(encoded: Rendition[], backend: EncoderBackend, caps: Capabilities): string {
  if (encoded.length === 0) return '';
  const chains = encoded.map((rung, position) => `[s${position}]${backend.filters(rung, caps)}[v${rung.index}]`);
  const split = encoded.length === 1
    ? '[0:v:0]null[s0]'
    : `[0:v:0]split=${encoded.length}${encoded.map((_, position) => `[s${position}]`).join('')}`;
  return [split, ...chains].join(';');
}

export function buildLiveCommand(options: LiveCommandOptions): string[] {
  const { renditions, backend, caps, hasAudio } = options;
  const encoded = renditions.filter((rung) => !rung.passthrough);
  const args = ['-hide_banner', '-loglevel', 'warning'];
  if (caps.threads > 0) args.push('-threads', String(caps.threads));
  if (encoded.length > 0) args.push(...backend.inputArgs(caps));
  args.push('-fflags', '+genpts', '-f', 'flv', '-i', 'pipe:0');

  const graph = filterGraph(encoded, backend, caps);
  if (graph) args.push('-filter_complex', graph);
  for (const rung of renditions) {
    args.push('-map', rung.passthrough ? '0:v:0' : `[v${rung.index}]`);
    if (hasAudio) args.push('-map', '0:a:0');
  }
  for (const rung of renditions) {
    const rungBackend = rung.passthrough ? copy : backend;
    args.push(...rungBackend.variantArgs(rung, caps));
    if (!rung.passthrough) {
      // Every rendition cuts at the same instants, so that players switch cleanly.
      args.push(`-force_key_frames:v:${rung.index}`, `expr:gte(t,n_forced*${caps.keyframeSeconds})`);
    }
    if (hasAudio) args.push(`-c:a:${rung.index}`, 'aac', `-b:a:${rung.index}`, `${rung.audioBitrateKbps}k`, `-ac:a:${rung.index}`, '2');
  }
  if (encoded.length > 0) args.push('-sc_threshold', '0');

  const flags = ['delete_segments', 'independent_segments', 'program_date_time', 'temp_file'];
  if (options.resume) flags.push('append_list', 'discont_start');
  const streamMap = renditions.map((rung) => hasAudio ? `v:${rung.index},a:${rung.index}` : `v:${rung.index}`).join(' ');
  args.push(
    '-max_muxing_queue_size', '1024',
    '-f', 'hls',
    '-hls_time', String(options.segmentSeconds),
    '-hls_list_size', String(options.playlistSize),
    '-hls_flags', flags.join('+'),
    '-hls_segment_type', 'fmp4',
    '-hls_fmp4_init_filename', 'init.mp4',
    '-hls_segment_filename', join(options.outputDir, '%v', 'seg_%05d.m4s'),
    '-master_pl_name', MASTER_PLAYLIST,
    '-var_stream_map', streamMap,
    join(options.outputDir, '%v', VARIANT_PLAYLIST),
  );
  return args;
}
