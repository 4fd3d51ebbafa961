// The baseline: plain HLS with 2 s segments, straight from one ffmpeg (no server in between),
// watched like a classic player that reloads the playlist: a segment "arrives" when it is listed.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPublisher } from './publisher.ts';
import { frameTimes } from './media-clock.ts';

const POLL_MS = 100;

export async function measureBaseline(durationMs: number): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'livecast-latency-baseline-'));
  const playlistFile = join(dir, 'index.m3u8');
  const publisher = startPublisher(['-f', 'hls', '-hls_time', '2', '-hls_list_size', '6', '-hls_segment_type', 'fmp4',
    '-hls_flags', 'independent_segments+temp_file', '-force_key_frames', 'expr:gte(t,n_forced*2)',
    '-hls_fmp4_init_filename', 'init.mp4', playlistFile], { seconds: Math.ceil(durationMs / 1000) + 10 });
  const latencies: number[] = [];
  const seen = new Set<string>();
  try {
    const deadline = Date.now() + durationMs;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (!existsSync(playlistFile)) continue;
      const listed = readFileSync(playlistFile, 'utf8').split('\n').filter((line) => line.endsWith('.m4s'));
      const arrived = Date.now();
      for (const name of listed) {
        if (seen.has(name)) continue;
        seen.add(name);
        const times = frameTimes(readFileSync(join(dir, 'init.mp4')), readFileSync(join(dir, name)));
        for (const time of times) latencies.push(arrived - publisher.sendTime(time));
      }
    }
  } finally {
    await publisher.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return latencies;
}
