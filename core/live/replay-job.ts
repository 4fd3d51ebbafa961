// The replay job: a recorded session becomes an on-demand video. A normal live turns into its own
// replay (same id and URL); a permanent live gets a new video per session, linked from the session.
// Idempotent and resumable: the target video and media path are recorded on the session (migration
// 009) before anything moves, each step checks what is already done, and the session is linked to
// its replay last; a retried or repeated job resumes where the last run stopped, or finds it done.
import { mkdirSync, renameSync, existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import type pg from 'pg';
import type { Logger } from '../../config/index.ts';
import { lives, liveSessions, videoPasswords, videos, VideoPrivacy, VideoState, type VideoRow, withTransaction } from '../../db/index.ts';
import { buildReplayPlaylists, makeReplayThumbnail } from '../../packager/index.ts';
import type { MediaAccess } from '../media-access/access.ts';

export const REPLAY_QUEUE = 'live-replay';
export interface ReplayJob { sessionId: number }

export interface ReplayContext {
  pool: pg.Pool;
  mediaRoot: string;
  ffmpegPath: string;
  mediaAccess: MediaAccess;
  log: Logger;
  /** Chapters from the description, storyboard job (core/vod/on-demand.ts); a failure here does not undo the replay. */
  afterPublish?: (videoId: number) => Promise<void>;
  /** Called after each step (tests inject a failure there: replayFaultsFromEnv). */
  afterStep?: (step: ReplayStep, sessionId: number, run: ReplayRun) => void | Promise<void>;
}

const THUMBNAIL = 'thumbnail.jpg';

function replayName(liveName: string, startedAt: Date): string {
  return `${liveName} – ${startedAt.toISOString().slice(0, 16).replace('T', ' ')}`;
}

/**
 * The steps of a replay, in order. Each one first looks at what is already done (the session row,
 * the disk), so a run that stopped after any of them, failed or killed, is resumed by the retry.
 */
export const REPLAY_STEPS = ['playlists', 'reserve', 'move', 'thumbnail', 'publish', 'link'] as const;
export type ReplayStep = typeof REPLAY_STEPS[number];

/** What pg-boss tells the handler about this run (jobs/index.ts JobRun). */
export interface ReplayRun { signal?: AbortSignal; retryCount?: number }

/**
 * Test hook: LIVECAST_TEST_REPLAY_FAULTS="<sessionId>:<step>[:kill],..." makes the FIRST run of each
 * listed session's job throw right after that step (or, with `kill`, the whole server die by SIGKILL
 * there); the retry must finish the replay. Unset (always, outside tests), nothing happens.
 */
export function replayFaultsFromEnv(value: string | undefined): ReplayContext['afterStep'] {
  if (!value) return undefined;
  const faults = new Map(value.split(',').map((entry) => entry.split(':')).map(([session, step, how]) => [Number(session), { step, how }]));
  return (step, sessionId, run) => {
    const fault = faults.get(sessionId);
    if ((run.retryCount ?? 0) !== 0 || fault?.step !== step) return;
    if (fault.how === 'kill') process.kill(process.pid, 'SIGKILL');
    throw new Error(`injected fault after the replay step ${step}`);
  };
}

/**
 * The video a session's replay becomes and the path of its media, recorded on the session before
 * anything moves. A permanent live gets a new video (its media then move under its own uuid, so its
 * own privacy guards them); a normal live becomes its own replay, its media staying where they are.
 */
async function reserveTarget(context: ReplayContext, session: liveSessions.LiveSessionRow, liveVideo: VideoRow,
  permanent: boolean, privacy: number): Promise<{ videoId: number; path: string }> {
  const { pool } = context;
  if (!permanent) {
    const path = join('hls', liveVideo.uuid, String(session.id));
    await liveSessions.setReplayTarget(pool, session.id, liveVideo.id, path);
  } else {
    await withTransaction(pool, async (client) => {
      // The session row is locked: two runs of one job cannot both make a video for it.
      const { rows: [locked] } = await client.query<{ replay_target_video_id: number | null }>(
        'SELECT replay_target_video_id FROM live_sessions WHERE id = $1 FOR UPDATE', [session.id]);
      if (locked?.replay_target_video_id !== null) return;
      const uuid = randomUUID();
      const id = await videos.insertVideo(client, {
        uuid, channelId: liveVideo.channel_id, name: replayName(liveVideo.name, session.started_at),
        description: liveVideo.description, privacy, state: VideoState.TO_TRANSCODE, isLive: false,
      });
      // A password-protected replay opens with its live's passwords.
      if (privacy === VideoPrivacy.PASSWORD_PROTECTED) await videoPasswords.copyVideoPasswords(client, liveVideo.id, id);
      await liveSessions.setReplayTarget(client, session.id, id, join('hls', uuid, String(session.id)));
    });
  }
  const recorded = (await liveSessions.findLiveSession(pool, session.id))!;
  return { videoId: recorded.replay_target_video_id!, path: recorded.replay_target_path! };
}

export async function processReplay(context: ReplayContext, job: ReplayJob, run: ReplayRun = {}): Promise<void> {
  const { pool, log } = context;
  const session = await liveSessions.findLiveSession(pool, job.sessionId);
  if (!session || session.replay_video_id !== null || !session.save_replay) return;
  const live = (await pool.query<{ video_id: number }>('SELECT video_id FROM lives WHERE id = $1', [session.live_id])).rows[0];
  const liveRow = live ? await lives.findLiveByVideoId(pool, live.video_id) : undefined;
  const liveVideo = live ? await videos.findVideo(pool, { id: live.video_id }) : undefined;
  if (!liveRow || !liveVideo) return;
  const done = async (step: ReplayStep) => {
    if (run.signal?.aborted) throw new Error(`replay of session ${session.id} stopped after ${step}: its job was aborted`);
    await context.afterStep?.(step, session.id, run);
  };

  // The recording is where the session wrote it, or already at the target if a run moved it there.
  const recordedPath = join('hls', liveVideo.uuid, String(session.id));
  const earlierTarget = session.replay_target_video_id !== null ? session.replay_target_path : null;
  const currentPath = earlierTarget && existsSync(join(context.mediaRoot, earlierTarget)) ? earlierTarget : recordedPath;
  const recorded = await buildReplayPlaylists(join(context.mediaRoot, currentPath));
  if (!recorded) {
    log.warn(`session ${session.id} of live ${liveVideo.uuid}: nothing was recorded, no replay`);
    return;
  }
  await done('playlists');

  const privacy = liveRow.replay_privacy ?? liveVideo.privacy;
  const target = await reserveTarget(context, session, liveVideo, liveRow.permanent_live, privacy);
  await done('reserve');

  if (currentPath !== target.path) {
    mkdirSync(dirname(join(context.mediaRoot, target.path)), { recursive: true });
    renameSync(join(context.mediaRoot, currentPath), join(context.mediaRoot, target.path));
  }
  await done('move');

  const mediaPath = target.path;
  const sessionDir = join(context.mediaRoot, mediaPath);
  const thumbnail = await makeReplayThumbnail(context.ffmpegPath, join(sessionDir, String(recorded.renditions[0])), join(sessionDir, THUMBNAIL));
  await done('thumbnail');

  await videos.publishOnDemand(pool, target.videoId, {
    hlsPath: mediaPath,
    thumbnailPath: thumbnail && existsSync(join(sessionDir, THUMBNAIL)) ? `/static/streaming-playlists/${mediaPath}/${THUMBNAIL}` : null,
    durationSeconds: recorded.durationSeconds,
    privacy,
  });
  await done('publish');

  // The last step: from here on the job has nothing left to do (the first check above).
  await liveSessions.setReplayVideo(pool, session.id, target.videoId);
  const targetVideo = await videos.findVideo(pool, { id: target.videoId });
  if (targetVideo) context.mediaAccess.forget(targetVideo.uuid);
  await done('link');
  await context.afterPublish?.(target.videoId).catch((error: Error) => log.error(`after publishing replay of session ${session.id}: ${error.message}`));
  log.info(`replay of session ${session.id} is video ${targetVideo?.uuid ?? target.videoId}: ${recorded.durationSeconds.toFixed(1)} s, ` +
    `${recorded.segments} segments, renditions ${recorded.renditions.join(', ')}`);
}
