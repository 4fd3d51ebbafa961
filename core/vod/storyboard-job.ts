// The `storyboard` job: the sprite sheet and WebVTT track of an on-demand video, written next to
// its HLS so that the media route serves them behind the same access check. Progress goes to
// video_storyboards (state, progress) for the studio and `npm run storyboards`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import type { Logger } from '../../config/index.ts';
import { storyboards, videos } from '../../db/index.ts';
import { hls, makeStoryboard, STORYBOARD_IMAGE } from '../../packager/index.ts';
/** The media route's prefix (api/routes/media.ts): the storyboard files are served like the HLS. */
const MEDIA_PREFIX = '/static/streaming-playlists/';

export const STORYBOARD_QUEUE = 'storyboard';
export interface StoryboardJob { videoId: number }

export interface StoryboardContext {
  pool: pg.Pool;
  mediaRoot: string;
  ffmpegPath: string;
  log: Logger;
}

/** What can enqueue a job: the server's JobQueue, or the CLI's own pg-boss. */
export interface Enqueuer { enqueue<T extends object>(name: string, data: T): Promise<void> }

const PROGRESS_WRITE_MS = 500;

/** Queues a storyboard (again) for a video; its row shows "pending" until a worker starts it. */
export async function requestStoryboard(pool: pg.Pool, jobs: Enqueuer, videoId: number): Promise<void> {
  await storyboards.markPending(pool, videoId);
  await jobs.enqueue<StoryboardJob>(STORYBOARD_QUEUE, { videoId });
}

export function storyboardUrl(hlsPath: string, file = STORYBOARD_IMAGE): string {
  return `${MEDIA_PREFIX}${hlsPath}/${file}`;
}

/** The smallest rendition's media playlist named in a master playlist (the sprites are 160 px wide). */
function smallestRendition(dir: string): string {
  const master = join(dir, hls.MASTER_PLAYLIST_NAME);
  if (!existsSync(master)) throw new Error(`no master playlist in ${dir}`);
  const lines = readFileSync(master, 'utf8').split(/\r?\n/);
  let best: { uri: string; height: number } | undefined;
  for (let index = 0; index < lines.length; index++) {
    if (!lines[index].startsWith('#EXT-X-STREAM-INF')) continue;
    const height = Number(/RESOLUTION=\d+x(\d+)/.exec(lines[index])?.[1] ?? Number.MAX_SAFE_INTEGER);
    const uri = lines.slice(index + 1).find((line) => line && !line.startsWith('#'));
    if (uri && (!best || height < best.height)) best = { uri, height };
  }
  if (!best) throw new Error(`no variant in ${master}`);
  return join(dir, best.uri);
}

/** What pg-boss tells the handler about this run (jobs/index.ts JobRun). */
export interface StoryboardRun { signal?: AbortSignal }

export async function processStoryboard(context: StoryboardContext, job: StoryboardJob, run: StoryboardRun = {}): Promise<void> {
  const { pool, log } = context;
  const video = await videos.findVideo(pool, { id: job.videoId });
  if (!video || video.is_live || !video.hls_path) {
    log.warn(`storyboard of video ${job.videoId}: not an on-demand video, skipped`);
    if (video) await storyboards.setProgress(pool, video.id, 'failed', 0, 'not an on-demand video');
    return;
  }
  const dir = join(context.mediaRoot, video.hls_path);
  await storyboards.setProgress(pool, video.id, 'running', 0);
  let lastWrite = 0;
  let writing: Promise<void> = Promise.resolve();
  try {
    const input = smallestRendition(dir);
    // The playlist's exact length; the video's duration is rounded (the cues must reach both).
    const listed = input.endsWith('.m3u8') && existsSync(input)
      ? [...readFileSync(input, 'utf8').matchAll(/#EXTINF:([\d.]+)/g)].reduce((total, match) => total + Number(match[1]), 0) : 0;
    const durationSeconds = Math.max(listed, video.duration);
    const result = await makeStoryboard({
      ffmpegPath: context.ffmpegPath,
      input,
      outputDir: dir,
      durationSeconds,
      imageUrl: storyboardUrl(video.hls_path),
      signal: run.signal,
      onProgress: (fraction) => {
        if (Date.now() - lastWrite < PROGRESS_WRITE_MS) return;
        lastWrite = Date.now();
        writing = writing.then(() => storyboards.setProgress(pool, video.id, 'running', fraction)).catch(() => undefined);
      },
    });
    await writing;
    await storyboards.markDone(pool, video.id, { filename: STORYBOARD_IMAGE, ...result });
    log.info(`storyboard of video ${video.uuid}: ${result.totalWidth}x${result.totalHeight}, a sprite every ${result.spriteDuration} s`);
  } catch (error) {
    await writing;
    // An aborted run is retried by pg-boss: its row stays as the retry will set it.
    if (!run.signal?.aborted) await storyboards.setProgress(pool, video.id, 'failed', 0, (error as Error).message.slice(0, 2000));
    throw error;
  }
}
