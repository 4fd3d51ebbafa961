// The vod-transcode job: an uploaded original becomes on-demand HLS under
// hls/<uuid>/vod-1/, or the video is marked TRANSCODING_FAILED with the reason.
// Each run of the job writes into a vod-<n> folder it alone reserved (pg-boss can retry a job whose
// first run still goes on), stops its ffmpeg on the job's abort signal, and publishes only if no
// other run did first.
// A replacement (re-upload of the source) is transcoded into the next folder, vod-<n+1>, while the
// video goes on playing vod-<n>; then hls_path switches in one UPDATE and only then is vod-<n>
// deleted. A replacement that fails leaves the video as it was, with the reason in `error`.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import type { Config, Logger } from '../../config/index.ts';
import { uploads, videos, VideoState, withTransaction } from '../../db/index.ts';
import type { EncoderSelection, FfmpegBinary } from '../../packager/index.ts';
import { probeSource, transcodeToVod, TranscodeAbortedError, TranscodeError, UnusableSourceError, VOD_THUMBNAIL } from '../../packager/vod/index.ts';
import type { MediaAccess } from '../media-access/access.ts';

export const VOD_TRANSCODE_QUEUE = 'vod-transcode';
export interface VodTranscodeJob {
  videoId: number;
  source: string;
  /** A re-upload of the source of a published video (PeerTube's replace-resumable). */
  replace?: boolean;
}

export interface VodTranscodeContext {
  pool: pg.Pool;
  mediaRoot: string;
  ffmpeg: FfmpegBinary;
  encoder: EncoderSelection;
  transcoding: Config['transcoding'];
  mediaAccess: MediaAccess;
  log: Logger;
  /** Chapters from the description, storyboard job (core/vod/on-demand.ts); a failure here does not undo the publication. */
  afterPublish?: (videoId: number) => Promise<void>;
  /** After a replaced source is live: a new storyboard (the chapters stay). */
  afterReplace?: (videoId: number) => Promise<void>;
}

/** The first folder of an upload's HLS inside the video's media folder (the media route accepts vod-<n>). */
const FIRST_VOD = 1;
/** Bounds the search for a free vod-<n> (each run of a job takes one; a crash can leave one behind). */
const MAX_VOD_FOLDERS = 1000;

/**
 * Takes a folder of its own for this run: vod-<n> from `from` on, created with a plain mkdir, which
 * fails on a folder that exists, so two runs of one job (pg-boss retried an expired one while it
 * still ran) never share, nor delete, each other's output. Returns its path relative to the media root.
 */
function reserveVodFolder(mediaRoot: string, uuid: string, from: number): string {
  mkdirSync(join(mediaRoot, 'hls', uuid), { recursive: true });
  for (let n = from; n < from + MAX_VOD_FOLDERS; n++) {
    const mediaPath = join('hls', uuid, `vod-${n}`);
    try {
      mkdirSync(join(mediaRoot, mediaPath));
      return mediaPath;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`no free vod folder for ${uuid}`);
}

/** The number after the current vod-<n>: where a replacement starts looking. */
function nextVodNumber(currentHlsPath: string | null): number {
  return Number(/\/vod-(\d+)$/.exec(currentHlsPath ?? '')?.[1] ?? FIRST_VOD) + 1;
}

/**
 * Publishes a first upload only if it still waits for its transcode: of two runs of one job, the
 * first to finish publishes and the other finds the video done. True when this run published.
 */
async function publishIfStillPending(pool: pg.Pool, videoId: number, media: Parameters<typeof videos.publishOnDemand>[2]): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ state: number }>('SELECT state FROM videos WHERE id = $1 FOR UPDATE', [videoId]);
    if (rows[0]?.state !== VideoState.TO_TRANSCODE) return false;
    await videos.publishOnDemand(client, videoId, media);
    return true;
  });
}

const PROGRESS_INTERVAL_MS = 1000;

/** What pg-boss tells the handler about this run of the job. */
export interface JobRun { signal?: AbortSignal }

export async function processVodTranscode(context: VodTranscodeContext, job: VodTranscodeJob, run: JobRun = {}): Promise<void> {
  const { pool, log } = context;
  const video = await videos.findVideo(pool, { id: job.videoId });
  const replace = job.replace === true;
  if (!video || (replace ? video.is_live || video.state !== VideoState.PUBLISHED : video.state !== VideoState.TO_TRANSCODE)) {
    if (replace) rmSync(job.source, { force: true });
    return;
  }
  const fail = async (reason: string) => {
    // Another run of this job may have published meanwhile: its video is not failed.
    const current = await videos.findVideo(pool, { id: video.id });
    if (!replace && current?.state !== VideoState.TO_TRANSCODE) return;
    log.warn(`${replace ? 'replacement of ' : ''}upload ${video.uuid} failed: ${reason}`);
    if (replace) await uploads.markReplacementFailed(pool, video.id, reason);
    else await uploads.markProcessingFailed(pool, video.id, reason);
    // Nothing can be done with the original any more (there is no re-run): free the disk.
    rmSync(job.source, { force: true });
  };
  if (!existsSync(job.source)) {
    // A replacement whose source is gone was finished by another run of this job.
    return replace ? undefined : fail('The uploaded file is missing');
  }
  let source;
  try {
    source = await probeSource(context.ffmpeg, job.source, run.signal);
  } catch (error) {
    if (error instanceof UnusableSourceError && !run.signal?.aborted) return fail(error.message);
    throw error;
  }
  const mediaPath = reserveVodFolder(context.mediaRoot, video.uuid, replace ? nextVodNumber(video.hls_path) : FIRST_VOD);
  const outputDir = join(context.mediaRoot, mediaPath);
  let lastWrite = 0;
  let writing = Promise.resolve();
  try {
    const result = await transcodeToVod({
      ffmpegPath: context.ffmpeg.ffmpeg, input: job.source, source, outputDir, signal: run.signal,
      ladder: context.transcoding.ladder, backend: context.encoder.backend, caps: context.encoder.caps,
      onProgress: (percent) => {
        const now = Date.now();
        if (now - lastWrite < PROGRESS_INTERVAL_MS || percent >= 100) return;
        lastWrite = now;
        writing = writing.then(() => uploads.setProcessingProgress(pool, video.id, percent)).catch(() => undefined);
      },
    });
    await writing;
    if (run.signal?.aborted) throw new TranscodeAbortedError('The transcode was stopped (its job was aborted)');
    await uploads.setProcessingProgress(pool, video.id, 100);
    const thumbnailPath = result.thumbnail ? `/static/streaming-playlists/${mediaPath}/${VOD_THUMBNAIL}` : null;
    if (replace) {
      // Another run of this job switched first (and then removed the source): keep its media.
      const switched = existsSync(job.source)
        ? await videos.replaceOnDemandMedia(pool, video.id, { hlsPath: mediaPath, thumbnailPath, durationSeconds: result.durationSeconds })
        : undefined;
      context.mediaAccess.forget(video.uuid);
      rmSync(job.source, { force: true });
      if (!switched) {
        rmSync(outputDir, { recursive: true, force: true }); // the video was deleted meanwhile, or another run won
        return;
      }
      // Nobody is pointed at the previous folder any more (the API answers the new hls_path).
      const previous = switched.previousHlsPath;
      if (previous && previous !== mediaPath && previous.startsWith(`hls/${video.uuid}/`) && /\/(?:vod-)?\d+$/.test(previous)) {
        rmSync(join(context.mediaRoot, previous), { recursive: true, force: true });
      }
      await context.afterReplace?.(video.id).catch((error: Error) => log.error(`after replacing upload ${video.uuid}: ${error.message}`));
      log.info(`upload ${video.uuid} replaced: ${result.durationSeconds.toFixed(1)} s, renditions ${result.renditions.join(', ')} ` +
        `(${source.width}x${source.height} ${source.videoCodec}), now in ${mediaPath}`);
      return;
    }
    const published = await publishIfStillPending(pool, video.id, {
      hlsPath: mediaPath,
      thumbnailPath,
      durationSeconds: result.durationSeconds,
      privacy: video.privacy,
    });
    if (!published) {
      // Another run of this job published first (or the video was deleted): its folder is the video's.
      rmSync(outputDir, { recursive: true, force: true });
      log.info(`upload ${video.uuid}: another run of its transcode published first, ${mediaPath} discarded`);
      return;
    }
    context.mediaAccess.forget(video.uuid);
    rmSync(job.source, { force: true });
    await context.afterPublish?.(video.id).catch((error: Error) => log.error(`after publishing upload ${video.uuid}: ${error.message}`));
    log.info(`upload ${video.uuid} published: ${result.durationSeconds.toFixed(1)} s, renditions ${result.renditions.join(', ')} ` +
      `(${source.width}x${source.height} ${source.videoCodec})`);
  } catch (error) {
    await writing;
    // This run's folder is its own: no other run reads or writes it, so it goes whatever happened.
    rmSync(outputDir, { recursive: true, force: true });
    if (error instanceof TranscodeError && !run.signal?.aborted) return fail(error.message);
    // Aborted (expired, claim lost, shutdown) or a passing error: pg-boss retries the job, which
    // starts over in a folder of its own.
    throw error;
  }
}
