// The vod-transcode job: an uploaded original becomes on-demand HLS under
// hls/<uuid>/vod-1/, or the video is marked TRANSCODING_FAILED with the reason.
// A replacement (re-upload of the source) is transcoded into the next folder, vod-<n+1>, while the
// video goes on playing vod-<n>; then hls_path switches in one UPDATE and only then is vod-<n>
// deleted. A replacement that fails leaves the video as it was, with the reason in `error`.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import type { Config, Logger } from '../../config/index.ts';
import { uploads, videos, VideoState } from '../../db/index.ts';
import type { EncoderSelection, FfmpegBinary } from '../../packager/index.ts';
import { probeSource, transcodeToVod, TranscodeError, UnusableSourceError, VOD_THUMBNAIL } from '../../packager/vod/index.ts';
import type { MediaAccess } from '../media/access.ts';

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
  /** Chapters from the description, storyboard job (api/on-demand.ts); a failure here does not undo the publication. */
  afterPublish?: (videoId: number) => Promise<void>;
  /** After a replaced source is live: a new storyboard (the chapters stay). */
  afterReplace?: (videoId: number) => Promise<void>;
}

/** Folder of an upload's HLS inside the video's media folder (the media route accepts vod-<n>). */
export const VOD_FOLDER = 'vod-1';

/** The folder a replacement is transcoded into: vod-<n+1> after the current vod-<n>, never an existing one. */
export function nextVodFolder(mediaRoot: string, uuid: string, currentHlsPath: string | null): string {
  let next = Number(/\/vod-(\d+)$/.exec(currentHlsPath ?? '')?.[1] ?? 1) + 1;
  while (existsSync(join(mediaRoot, 'hls', uuid, `vod-${next}`))) next++;
  return `vod-${next}`;
}
const PROGRESS_INTERVAL_MS = 1000;

export async function processVodTranscode(context: VodTranscodeContext, job: VodTranscodeJob): Promise<void> {
  const { pool, log } = context;
  const video = await videos.findVideo(pool, { id: job.videoId });
  const replace = job.replace === true;
  if (!video || (replace ? video.is_live || video.state !== VideoState.PUBLISHED : video.state !== VideoState.TO_TRANSCODE)) {
    if (replace) rmSync(job.source, { force: true });
    return;
  }
  const fail = async (reason: string) => {
    log.warn(`${replace ? 'replacement of ' : ''}upload ${video.uuid} failed: ${reason}`);
    if (replace) await uploads.markReplacementFailed(pool, video.id, reason);
    else await uploads.markProcessingFailed(pool, video.id, reason);
    // Nothing can be done with the original any more (there is no re-run): free the disk.
    rmSync(job.source, { force: true });
  };
  if (!existsSync(job.source)) return fail('The uploaded file is missing');
  let source;
  try {
    source = await probeSource(context.ffmpeg, job.source);
  } catch (error) {
    if (error instanceof UnusableSourceError) return fail(error.message);
    throw error;
  }
  const mediaPath = join('hls', video.uuid, replace ? nextVodFolder(context.mediaRoot, video.uuid, video.hls_path) : VOD_FOLDER);
  const outputDir = join(context.mediaRoot, mediaPath);
  let lastWrite = 0;
  let writing = Promise.resolve();
  try {
    const result = await transcodeToVod({
      ffmpegPath: context.ffmpeg.ffmpeg, input: job.source, source, outputDir,
      ladder: context.transcoding.ladder, backend: context.encoder.backend, caps: context.encoder.caps,
      onProgress: (percent) => {
        const now = Date.now();
        if (now - lastWrite < PROGRESS_INTERVAL_MS || percent >= 100) return;
        lastWrite = now;
        writing = writing.then(() => uploads.setProcessingProgress(pool, video.id, percent)).catch(() => undefined);
      },
    });
    await writing;
    await uploads.setProcessingProgress(pool, video.id, 100);
    const thumbnailPath = result.thumbnail ? `/static/streaming-playlists/${mediaPath}/${VOD_THUMBNAIL}` : null;
    if (replace) {
      const switched = await videos.replaceOnDemandMedia(pool, video.id, { hlsPath: mediaPath, thumbnailPath, durationSeconds: result.durationSeconds });
      context.mediaAccess.forget(video.uuid);
      rmSync(job.source, { force: true });
      if (!switched) {
        rmSync(outputDir, { recursive: true, force: true }); // the video was deleted meanwhile
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
    await videos.publishOnDemand(pool, video.id, {
      hlsPath: mediaPath,
      thumbnailPath,
      durationSeconds: result.durationSeconds,
      privacy: video.privacy,
    });
    context.mediaAccess.forget(video.uuid);
    rmSync(job.source, { force: true });
    await context.afterPublish?.(video.id).catch((error: Error) => log.error(`after publishing upload ${video.uuid}: ${error.message}`));
    log.info(`upload ${video.uuid} published: ${result.durationSeconds.toFixed(1)} s, renditions ${result.renditions.join(', ')} ` +
      `(${source.width}x${source.height} ${source.videoCodec})`);
  } catch (error) {
    await writing;
    if (error instanceof TranscodeError) {
      rmSync(outputDir, { recursive: true, force: true });
      return fail(error.message);
    }
    // A retried replacement starts over in a folder of its own: leave no half-written one behind.
    if (replace) rmSync(outputDir, { recursive: true, force: true });
    throw error;
  }
}
