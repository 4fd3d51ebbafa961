// Reads the media times of the frames in an fMP4 part or segment, with our packager's parser.
import { Fmp4StreamParser, type InitSegment } from '../../packager/fmp4/index.ts';

/** Media times (seconds) of every video frame in `bytes` (moof+mdat boxes), given the init segment. */
export function frameTimes(initBytes: Uint8Array, bytes: Uint8Array): number[] {
  const parser = new Fmp4StreamParser();
  let init: InitSegment | undefined;
  const times: number[] = [];
  for (const event of [...parser.push(initBytes), ...parser.push(bytes)]) {
    if (event.type === 'init') {
      init = event.init;
      continue;
    }
    const video = init?.tracks.find((track) => track.kind === 'video');
    const fragment = event.fragment.tracks.find((track) => track.trackId === video?.id);
    if (!video || !fragment || fragment.sampleCount === 0) continue;
    const step = fragment.duration / fragment.sampleCount;
    for (let sample = 0; sample < fragment.sampleCount; sample++) {
      times.push((fragment.baseDecodeTime + sample * step) / video.timescale);
    }
  }
  return times;
}
