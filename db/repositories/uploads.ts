// Uploaded videos: quota accounting, transcoding progress and failure.
import type pg from 'pg';
import { VideoState } from '../constants.ts';

/** Bytes of uploaded originals kept by the videos of this user's channels. */
export async function usedQuotaBytes(pool: pg.Pool, userId: number): Promise<number> {
  const { rows: [row] } = await pool.query<{ used: string }>(
    `SELECT coalesce(sum(v.size_bytes), 0)::text AS used FROM videos v
     JOIN channels c ON c.id = v.channel_id JOIN accounts a ON a.id = c.account_id
     WHERE a.user_id = $1`, [userId]);
  return Number(row.used);
}

export async function setUploadSize(pool: pg.Pool, videoId: number, sizeBytes: number): Promise<void> {
  await pool.query('UPDATE videos SET size_bytes = $2, processing_progress = 0 WHERE id = $1', [videoId, sizeBytes]);
}

export async function setProcessingProgress(pool: pg.Pool, videoId: number, percent: number): Promise<void> {
  await pool.query('UPDATE videos SET processing_progress = $2 WHERE id = $1', [videoId, Math.max(0, Math.min(100, Math.round(percent)))]);
}

/** PeerTube's TRANSCODING_FAILED (7), with the reason shown in the API. */
export async function markProcessingFailed(pool: pg.Pool, videoId: number, error: string): Promise<void> {
  await pool.query('UPDATE videos SET state = $2, processing_error = $3, updated_at = now() WHERE id = $1',
    [videoId, VideoState.TRANSCODING_FAILED, error.slice(0, 2000)]);
}

/** A replacement of the source failed: the video keeps its state and media, the reason is shown. */
export async function markReplacementFailed(pool: pg.Pool, videoId: number, error: string): Promise<void> {
  await pool.query('UPDATE videos SET processing_error = $2, processing_progress = 100, updated_at = now() WHERE id = $1',
    [videoId, error.slice(0, 2000)]);
}

/** A replacement starts: its size counts for the quota instead of the old original's, progress from 0. */
export async function startReplacement(pool: pg.Pool, videoId: number, sizeBytes: number): Promise<void> {
  await pool.query('UPDATE videos SET size_bytes = $2, processing_progress = 0, processing_error = NULL WHERE id = $1', [videoId, sizeBytes]);
}
