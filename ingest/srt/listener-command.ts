// The ffmpeg behind one SRT publisher: an SRT listener on a loopback port (our relay is its only
// caller), MPEG-TS in, FLV out on pipe 3. Video is copied (H.264, as OBS sends it); audio is
// always encoded to AAC, because a publisher may send Opus (OBS 30 offers it for SRT), FLV cannot
// carry it, and ffmpeg's arguments are fixed before the stream shows its codecs. That costs about
// 2 % of one core per publisher (48 kHz stereo, `-c:a aac` against `-c:a copy`, ffmpeg 5.1) and
// one more AAC generation, at 192 kbit/s, before the transcoder's own; `audio: 'copy'` skips it
// when every publisher is known to send AAC.

export interface ListenerCommandOptions {
  /** The loopback UDP port ffmpeg listens on. */
  port: number;
  /** The receiver's latency floor; the caller's own setting wins when larger (libsrt takes the max). */
  latencyMs: number;
  /** How long ffmpeg waits for the relayed caller before giving up by itself. */
  listenTimeoutMs: number;
  /** How much of the stream ffmpeg reads to learn its codecs before writing anything. */
  analyzeMs: number;
  audio: 'aac' | 'copy';
  audioBitrateKbps: number;
}

export function buildListenerCommand(options: ListenerCommandOptions): string[] {
  const query = new URLSearchParams({
    mode: 'listener',
    transtype: 'live',
    latency: String(options.latencyMs * 1000), // microseconds, as ffmpeg's libsrt options are
    listen_timeout: String(options.listenTimeoutMs * 1000),
  });
  const audio = options.audio === 'aac'
    ? ['-c:a', 'aac', '-b:a', `${options.audioBitrateKbps}k`]
    : ['-c:a', 'copy'];
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'warning',
    // The default 5 s of analysis would hold the first FLV byte back that long; OBS starts on a
    // keyframe with its SPS, so 1 s finds every parameter (first FLV about 1.5 s after connect).
    '-analyzeduration', String(options.analyzeMs * 1000),
    '-f', 'mpegts', '-i', `srt://127.0.0.1:${options.port}?${query}`,
    '-map', '0:v:0', '-map', '0:a:0?',
    '-c:v', 'copy', ...audio,
    '-max_muxing_queue_size', '1024',
    '-flush_packets', '1',
    '-f', 'flv', '-flvflags', 'no_duration_filesize', 'pipe:3',
  ];
}
