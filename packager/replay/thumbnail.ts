// A replay's thumbnail: one frame from the middle of the recording, taken from the first
// rendition's init segment plus one of its segments (the pair is a playable MP4).
import { existsSync, readFileSync, writeFileSync, mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runFfmpeg } from '../ffmpeg-process.ts';
import { SEGMENT_MANIFEST, type RecordedSegment } from '../hls-disk-sink.ts';
import { initUri, segmentUri } from '../hls/index.ts';

export async function makeReplayThumbnail(ffmpegPath: string, renditionDir: string, outputFile: string): Promise<boolean> {
  const manifest = join(renditionDir, SEGMENT_MANIFEST);
  if (!existsSync(manifest)) return false;
  const entries = readFileSync(manifest, 'utf8').split('\n').filter(Boolean)
    .map((line) => { try { return JSON.parse(line) as RecordedSegment; } catch { return undefined; } })
    .filter((entry): entry is RecordedSegment => entry !== undefined && existsSync(join(renditionDir, segmentUri(entry.msn))));
  const middle = entries[Math.floor(entries.length / 2)];
  if (!middle) return false;
  const work = mkdtempSync(join(tmpdir(), 'livecast-thumb-'));
  try {
    const sample = join(work, 'sample.mp4');
    writeFileSync(sample, Buffer.concat([
      readFileSync(join(renditionDir, initUri(middle.initVersion))),
      readFileSync(join(renditionDir, segmentUri(middle.msn))),
    ]));
    mkdirSync(dirname(outputFile), { recursive: true });
    const result = await runFfmpeg(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-y', '-i', sample,
      '-frames:v', '1', '-vf', 'scale=-2:360', '-q:v', '4', outputFile], 30_000);
    return result.code === 0 && existsSync(outputFile);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
