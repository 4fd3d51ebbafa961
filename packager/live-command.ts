// Builds the ffmpeg arguments for one live: FLV on stdin in; per rendition, fragmented MP4
// (video + audio muxed) on its own pipe (fd 3, 4, …) for our LL-HLS packager.
import type { Capabilities, EncoderBackend, Rendition } from './encoders/types.ts';
import { copy } from './encoders/copy.ts';

export interface LiveCommandOptions {
  renditions: Rendition[];
  backend: EncoderBackend;
  caps: Capabilities;
  hasAudio: boolean;
  /** A keyframe this often in every encoded rendition: the segment target of the latency mode. */
  keyframeSeconds: number;
  /** ffmpeg cuts an fMP4 fragment (an LL-HLS part) this often, and at every keyframe. */
  fragmentSeconds: number;
}

/** Output pipe of rendition `index`: ffmpeg's `pipe:<3 + index>`. */
const firstOutputFd = 3;

function filterGraph(encoded: Rendition[], backend: EncoderBackend, caps: Capabilities): string {
  if (encoded.length === 0) return '';
  const chains = encoded.map((rung, position) => `[s${position}]${backend.filters(rung, caps)}[v${rung.index}]`);
  const split = encoded.length === 1
    ? '[0:v:0]null[s0]'
    : `[0:v:0]split=${encoded.length}${encoded.map((_, position) => `[s${position}]`).join('')}`;
  return [split, ...chains].join(';');
}

/** Arguments of one rendition's output. Each output has its own stream numbering, so index 0. */
function renditionOutput(rung: Rendition, options: LiveCommandOptions): string[] {
  const { backend, caps, hasAudio } = options;
  const local = { ...rung, index: 0 };
  const args = ['-map', rung.passthrough ? '0:v:0' : `[v${rung.index}]`];
  if (hasAudio) args.push('-map', '0:a:0');
  args.push(...(rung.passthrough ? copy : backend).variantArgs(local, caps));
  if (!rung.passthrough) {
    // Every rendition cuts at the same instants, so that players switch cleanly between them.
    args.push('-force_key_frames:v:0', `expr:gte(t,n_forced*${options.keyframeSeconds})`, '-sc_threshold', '0');
  }
  if (hasAudio) args.push('-c:a:0', 'aac', '-b:a:0', `${rung.audioBitrateKbps}k`, '-ac:a:0', '2');
  args.push(
    '-max_muxing_queue_size', '1024',
    '-f', 'mp4',
    // empty_moov: the init segment comes first, alone; default_base_moof + dash: self-contained
    // fragments with tfdt, as LL-HLS parts must be.
    '-movflags', '+frag_keyframe+empty_moov+default_base_moof+dash',
    '-frag_duration', String(Math.round(options.fragmentSeconds * 1_000_000)),
    `pipe:${firstOutputFd + rung.index}`,
  );
  return args;
}

export function buildLiveCommand(options: LiveCommandOptions): string[] {
  const { renditions, backend, caps } = options;
  const encoded = renditions.filter((rung) => !rung.passthrough);
  const args = ['-hide_banner', '-loglevel', 'warning'];
  if (caps.threads > 0) args.push('-threads', String(caps.threads));
  if (encoded.length > 0) args.push(...backend.inputArgs(caps));
  args.push('-fflags', '+genpts', '-f', 'flv', '-i', 'pipe:0');
  const graph = filterGraph(encoded, backend, caps);
  if (graph) args.push('-filter_complex', graph);
  for (const rung of renditions) args.push(...renditionOutput(rung, options));
  return args;
}
