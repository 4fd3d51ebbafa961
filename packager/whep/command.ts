// The ffmpeg arguments of a live's WHEP source: the live's FLV on stdin, H.264 without B-frames
// (constrained baseline, what every browser decodes) and Opus, as RTP to two loopback ports.

const WHEP_VIDEO_PAYLOAD_TYPE = 96;
const WHEP_AUDIO_PAYLOAD_TYPE = 111;
/** Leaves room under a 1280-byte path MTU for SRTP's tag and werift's header extensions. */
const RTP_PACKET_BYTES = 1200;

export interface WhepCommandOptions {
  /** Output height cap (the top ladder rung at or under 720p); never upscales. */
  maxHeight: number;
  videoBitrateKbps: number;
  keyframeSeconds: number;
  hasAudio: boolean;
  videoPort: number;
  audioPort: number;
  /** x264 threads; 0 lets ffmpeg decide. */
  threads: number;
}

function rtpUrl(port: number): string {
  // RTCP goes to the same port, where the reader drops it (nobody needs ffmpeg's sender reports).
  return `rtp://127.0.0.1:${port}?pkt_size=${RTP_PACKET_BYTES}&rtcpport=${port}`;
}

export function buildWhepCommand(options: WhepCommandOptions): string[] {
  const height = `trunc(min(ih\\,${options.maxHeight})/2)*2`;
  const kbps = options.videoBitrateKbps;
  const args = [
    '-hide_banner', '-loglevel', 'error',
    '-fflags', '+genpts+nobuffer', '-flags', 'low_delay', '-analyzeduration', '1000000',
    '-f', 'flv', '-i', 'pipe:0',
    '-map', '0:v:0',
    // Frames keep their own times: a constant-rate output would fill the gap before the cached
    // GOP's first frame with copies of it, a frozen burst at the start of every WHEP session.
    // (-vsync rather than -fps_mode: the bundled ffmpeg 4.1 only knows the former.)
    '-vsync', 'passthrough',
    '-vf', `scale=-2:${height}:flags=bilinear,format=yuv420p`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency',
    '-profile:v', 'baseline', '-level:v', '3.1', '-bf', '0',
    '-force_key_frames', `expr:gte(t,n_forced*${options.keyframeSeconds})`, '-sc_threshold', '0',
    '-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${kbps}k`,
  ];
  if (options.threads > 0) args.push('-threads:v', String(options.threads));
  args.push('-payload_type', String(WHEP_VIDEO_PAYLOAD_TYPE), '-f', 'rtp', rtpUrl(options.videoPort));
  if (options.hasAudio) {
    args.push(
      '-map', '0:a:0', '-c:a', 'libopus', '-ar', '48000', '-ac', '2', '-b:a', '96k', '-application', 'lowdelay',
      '-payload_type', String(WHEP_AUDIO_PAYLOAD_TYPE), '-f', 'rtp', rtpUrl(options.audioPort),
    );
  }
  return args;
}
