// Uploaded videos: quota accounting (kept originals and the reservations of unfinished uploads),
// transcoding progress and failure.
import type pg from 'pg';
import { VideoState } from '../constants.ts';

type Db = pg.Pool | pg.PoolClient;

/**
 * Bytes counted toward this user's quota: the originals kept by the videos of their channels, plus
 * the sizes their unfinished uploads declared (an expired one counts until the sweep removes it).
 */
export async function usedQuotaBytes(db: Db, userId: number): Promise<number> {
  const { rows: [row] } = await db.query<{ used: string }>(
    `SELECT ((SELECT coalesce(sum(v.size_bytes), 0) FROM videos v
               JOIN channels c ON c.id = v.channel_id JOIN accounts a ON a.id = c.account_id WHERE a.user_id = $1)
           + (SELECT coalesce(sum(r.size_bytes), 0) FROM upload_reservations r WHERE r.user_id = $1))::text AS used`,
    [userId]);
  return Number(row.used);
}

/**
 * Serialises the quota decisions of one user (reserving, completing): the caller holds the user's row
 * lock until its transaction ends, so two uploads cannot both see the same free room.
 */
export async function lockUserQuota(client: pg.PoolClient, userId: number): Promise<void> {
  await client.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [userId]);
}

export interface NewReservation {
  uploadId: string; userId: number; folder: string; sizeBytes: number; expiresInSeconds: number; metadata?: object;
}

export async function insertReservation(client: Db, reservation: NewReservation): Promise<void> {
  await client.query(
    `INSERT INTO upload_reservations (upload_id, user_id, folder, size_bytes, metadata, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
    [reservation.uploadId, reservation.userId, reservation.folder, reservation.sizeBytes,
      reservation.metadata === undefined ? null : JSON.stringify(reservation.metadata), reservation.expiresInSeconds]);
}

export interface ReservationRow { upload_id: string; user_id: number; folder: string; size_bytes: string; metadata: unknown }

/** An unfinished upload that has not expired. */
export async function findReservation(db: Db, uploadId: string): Promise<ReservationRow | undefined> {
  const { rows: [row] } = await db.query<ReservationRow>(
    'SELECT upload_id, user_id, folder, size_bytes, metadata FROM upload_reservations WHERE upload_id = $1 AND expires_at > now()', [uploadId]);
  return row;
}

/** Ends an upload's reservation (completed, cancelled or refused); false when it had none (expired, never made). */
export async function deleteReservation(db: Db, uploadId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM upload_reservations WHERE upload_id = $1', [uploadId]);
  return rowCount === 1;
}

/** Removes the expired reservations and returns them, for their files to be deleted. */
export async function takeExpiredReservations(db: Db): Promise<ReservationRow[]> {
  const { rows } = await db.query<ReservationRow>(
    'DELETE FROM upload_reservations WHERE expires_at <= now() RETURNING upload_id, user_id, folder, size_bytes, metadata');
  return rows;
}

/** The ids of every reservation in `folder` (expired or not), to tell a partial file with an owner from a stray one. */
export async function reservedIds(db: Db, folder: string): Promise<Set<string>> {
  const { rows } = await db.query<{ upload_id: string }>('SELECT upload_id FROM upload_reservations WHERE folder = $1', [folder]);
  return new Set(rows.map((row) => row.upload_id));
}

export async function setUploadSize(pool: Db, videoId: number, sizeBytes: number): Promise<void> {
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
export async function startReplacement(pool: Db, videoId: number, sizeBytes: number): Promise<void> {
  await pool.query('UPDATE videos SET size_bytes = $2, processing_progress = 0, processing_error = NULL WHERE id = $1', [videoId, sizeBytes]);
}
