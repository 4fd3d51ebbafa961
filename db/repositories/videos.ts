import type pg from 'pg';
import type { VideoRef } from '../short-uuid.ts';

export interface VideoRow {
  id: number;
  uuid: string;
  name: string;
  description: string;
  privacy: number;
  state: number;
  is_live: boolean;
  duration: number;
  created_at: Date;
  updated_at: Date;
  published_at: Date | null;
  hls_path: string | null;
  thumbnail_path: string | null;
  channel_id: number;
  channel_name: string;
  channel_display_name: string;
  account_id: number;
  account_name: string;
  account_display_name: string;
  owner_user_id: number;
  /** Uploads (migration 004): transcoding percent, failure reason, size of the original. */
  processing_progress?: number | null;
  processing_error?: string | null;
  size_bytes?: string;
  /** Migration 006: views counted, last re-upload of the source. */
  views?: number;
  input_file_updated_at?: Date | null;
}

const SELECT_VIDEO = `
  SELECT v.*, c.name AS channel_name, c.display_name AS channel_display_name,
         a.id AS account_id, a.name AS account_name, a.display_name AS account_display_name,
         a.user_id AS owner_user_id
  FROM videos v
  JOIN channels c ON c.id = v.channel_id
  JOIN accounts a ON a.id = c.account_id`;

export interface NewVideo {
  uuid: string; channelId: number; name: string; description: string; privacy: number; state: number; isLive: boolean;
}

export async function insertVideo(db: pg.Pool | pg.PoolClient, video: NewVideo): Promise<number> {
  const { rows: [row] } = await db.query<{ id: number }>(
    `INSERT INTO videos (uuid, channel_id, name, description, privacy, state, is_live)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [video.uuid, video.channelId, video.name, video.description, video.privacy, video.state, video.isLive]);
  return row.id;
}

export async function findVideo(pool: pg.Pool, ref: VideoRef): Promise<VideoRow | undefined> {
  const { rows } = 'id' in ref
    ? await pool.query<VideoRow>(`${SELECT_VIDEO} WHERE v.id = $1`, [ref.id])
    : await pool.query<VideoRow>(`${SELECT_VIDEO} WHERE v.uuid = $1`, [ref.uuid]);
  return rows[0];
}

export interface VideoListFilter {
  start: number;
  count: number;
  isLive?: boolean;
  states?: number[];
  /** Privacies listed publicly; unlisted and private videos are left out of listings. */
  privacies: number[];
  /** Only the videos of this user's channels (their own "my videos" listing). */
  ownerUserId?: number;
  sort: 'createdAt' | '-createdAt' | 'publishedAt' | '-publishedAt';
}

export async function listVideos(pool: pg.Pool, filter: VideoListFilter): Promise<{ total: number; rows: VideoRow[] }> {
  const where = ['v.privacy = ANY($1)'];
  const params: unknown[] = [filter.privacies];
  if (filter.isLive !== undefined) {
    params.push(filter.isLive);
    where.push(`v.is_live = $${params.length}`);
  }
  if (filter.ownerUserId !== undefined) {
    params.push(filter.ownerUserId);
    where.push(`v.channel_id IN (SELECT c.id FROM channels c JOIN accounts a ON a.id = c.account_id WHERE a.user_id = $${params.length})`);
  }
  if (filter.states) {
    params.push(filter.states);
    where.push(`v.state = ANY($${params.length})`);
  }
  const column = filter.sort.endsWith('publishedAt') ? 'coalesce(v.published_at, v.created_at)' : 'v.created_at';
  const direction = filter.sort.startsWith('-') ? 'DESC' : 'ASC';
  const condition = where.join(' AND ');
  const { rows: [{ total }] } = await pool.query<{ total: number }>(
    `SELECT count(*)::int AS total FROM videos v WHERE ${condition}`, params);
  const { rows } = await pool.query<VideoRow>(
    `${SELECT_VIDEO} WHERE ${condition} ORDER BY ${column} ${direction}, v.id ${direction}
     LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, filter.count, filter.start]);
  return { total, rows };
}

export interface VideoUpdate { name?: string; description?: string; privacy?: number }

export async function updateVideo(pool: pg.Pool, id: number, update: VideoUpdate): Promise<void> {
  await pool.query(
    `UPDATE videos SET name = coalesce($2, name), description = coalesce($3, description),
       privacy = coalesce($4, privacy), updated_at = now() WHERE id = $1`,
    [id, update.name ?? null, update.description ?? null, update.privacy ?? null]);
}

export async function setVideoState(pool: pg.Pool, id: number, state: number): Promise<void> {
  // published_at records the first time the video went public in any form.
  await pool.query(
    `UPDATE videos SET state = $2::smallint, updated_at = now(),
       published_at = CASE WHEN $2::smallint = 1 THEN coalesce(published_at, now()) ELSE published_at END
     WHERE id = $1`,
    [id, state]);
}

/** A finished recording becomes on-demand: its media, duration and privacy. */
export async function publishOnDemand(db: pg.Pool | pg.PoolClient, id: number, media: {
  hlsPath: string; thumbnailPath: string | null; durationSeconds: number; privacy: number;
}): Promise<void> {
  await db.query(
    `UPDATE videos SET is_live = false, state = 1, hls_path = $2, thumbnail_path = $3, duration = $4, privacy = $5,
       updated_at = now(), published_at = coalesce(published_at, now())
     WHERE id = $1`,
    [id, media.hlsPath, media.thumbnailPath, Math.round(media.durationSeconds), media.privacy]);
}

export async function addView(pool: pg.Pool, id: number): Promise<void> {
  await pool.query('UPDATE videos SET views = views + 1 WHERE id = $1', [id]);
}

/**
 * A re-uploaded source is ready: the video switches to its new HLS in one UPDATE (viewers never see
 * a gap). Returns the folder it played before, for the caller to delete once nobody is pointed at it.
 */
export async function replaceOnDemandMedia(db: pg.Pool | pg.PoolClient, id: number, media: {
  hlsPath: string; thumbnailPath: string | null; durationSeconds: number;
}): Promise<{ previousHlsPath: string | null } | undefined> {
  const { rows } = await db.query<{ previous: string | null }>(
    // The storyboard of the old media is forgotten in the same statement (its files go with the old
    // folder); the caller queues a new one.
    `WITH storyboard AS (
       UPDATE video_storyboards SET filename = NULL, state = 'pending', progress = 0, error = NULL, updated_at = now() WHERE video_id = $1)
     UPDATE videos v SET hls_path = $2, thumbnail_path = $3, duration = $4, input_file_updated_at = now(),
       updated_at = now(), processing_error = NULL
     FROM (SELECT hls_path AS previous FROM videos WHERE id = $1 FOR UPDATE) old
     WHERE v.id = $1 RETURNING old.previous`,
    [id, media.hlsPath, media.thumbnailPath, Math.round(media.durationSeconds)]);
  return rows[0] ? { previousHlsPath: rows[0].previous } : undefined;
}
