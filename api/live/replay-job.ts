// The replay job: a recorded session becomes an on-demand video. A normal live turns into its own
// replay (same id and URL); a permanent live gets a new video per session, linked from the session.
// Idempotent: a retried or repeated job finds the replay already made and stops.
import { mkdirSync, renameSync, existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import type pg from 'pg';
import type { Logger } from '../../config/index.ts';
import { lives, liveSessions, videoPasswords, videos, VideoPrivacy, VideoState } from '../../db/index.ts';
import { buildReplayPlaylists, makeReplayThumbnail } from '../../packager/index.ts';
import type { MediaAccess } from '../media/access.ts';

export const REPLAY_QUEUE = 'live-replay';
export interface ReplayJob { sessionId: number }

export interface ReplayContext {
  pool: pg.Pool;
  mediaRoot: string;
  ffmpegPath: string;
  mediaAccess: MediaAccess;
  log: Logger;
  /** Chapters from the description, storyboard job (api/on-demand.ts); a failure here does not undo the replay. */
  afterPublish?: (videoId: number) => Promise<void>;
}

const THUMBNAIL = 'thumbnail.jpg';

function replayName(liveName: string, startedAt: Date): string {
  return `${liveName} – ${startedAt.toISOString().slice(0, 16).replace('T', ' ')}`;
}

export async function processReplay(context: ReplayContext, job: ReplayJob): Promise<void> {
  const { pool, log } = context;
  const session = await liveSessions.findLiveSession(pool, job.sessionId);
  if (!session || session.replay_video_id !== null || !session.save_replay) return;
  const live = (await pool.query<{ video_id: number }>('SELECT video_id FROM lives WHERE id = $1', [session.live_id])).rows[0];
  const liveRow = live ? await lives.findLiveByVideoId(pool, live.video_id) : undefined;
  const liveVideo = live ? await videos.findVideo(pool, { id: live.video_id }) : undefined;
  if (!liveRow || !liveVideo) return;

  let mediaPath = join('hls', liveVideo.uuid, String(session.id));
  const recorded = await buildReplayPlaylists(join(context.mediaRoot, mediaPath));
  if (!recorded) {
    log.warn(`session ${session.id} of live ${liveVideo.uuid}: nothing was recorded, no replay`);
    return;
  }
  const privacy = liveRow.replay_privacy ?? liveVideo.privacy;
  let target = liveVideo;
  if (liveRow.permanent_live) {
    // A new video per session; its media move under its own uuid so that its own privacy guards them.
    const uuid = randomUUID();
    const id = await videos.insertVideo(pool, {
      uuid, channelId: liveVideo.channel_id, name: replayName(liveVideo.name, session.started_at),
      description: liveVideo.description, privacy, state: VideoState.TO_TRANSCODE, isLive: false,
    });
    // A password-protected replay opens with its live's passwords.
    if (privacy === VideoPrivacy.PASSWORD_PROTECTED) await videoPasswords.copyVideoPasswords(pool, liveVideo.id, id);
    const moved = join('hls', uuid, String(session.id));
    mkdirSync(dirname(join(context.mediaRoot, moved)), { recursive: true });
    renameSync(join(context.mediaRoot, mediaPath), join(context.mediaRoot, moved));
    mediaPath = moved;
    target = (await videos.findVideo(pool, { id }))!;
  }
  const sessionDir = join(context.mediaRoot, mediaPath);
  const thumbnail = await makeReplayThumbnail(context.ffmpegPath, join(sessionDir, String(recorded.renditions[0])), join(sessionDir, THUMBNAIL));
  await videos.publishOnDemand(pool, target.id, {
    hlsPath: mediaPath,
    thumbnailPath: thumbnail && existsSync(join(sessionDir, THUMBNAIL)) ? `/static/streaming-playlists/${mediaPath}/${THUMBNAIL}` : null,
    durationSeconds: recorded.durationSeconds,
    privacy,
  });
  await liveSessions.setReplayVideo(pool, session.id, target.id);
  context.mediaAccess.forget(target.uuid);
  await context.afterPublish?.(target.id).catch((error: Error) => log.error(`after publishing replay ${target.uuid}: ${error.message}`));
  log.info(`replay of session ${session.id} is video ${target.uuid}: ${recorded.durationSeconds.toFixed(1)} s, ` +
    `${recorded.segments} segments, renditions ${recorded.renditions.join(', ')}`);
}
