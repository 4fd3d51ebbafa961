// The passwords of password-protected videos, stored as scrypt hashes (hashing happens in api/auth).
import type pg from 'pg';

export interface VideoPasswordRow {
  id: number;
  video_id: number;
  password_hash: string;
  created_at: Date;
  updated_at: Date;
}

type Db = pg.Pool | pg.PoolClient;

export async function listVideoPasswords(db: Db, videoId: number): Promise<VideoPasswordRow[]> {
  const { rows } = await db.query<VideoPasswordRow>('SELECT * FROM video_passwords WHERE video_id = $1 ORDER BY id', [videoId]);
  return rows;
}

export async function countVideoPasswords(db: Db, videoId: number): Promise<number> {
  const { rows: [row] } = await db.query<{ total: number }>('SELECT count(*)::int AS total FROM video_passwords WHERE video_id = $1', [videoId]);
  return row.total;
}

export async function insertVideoPassword(db: Db, videoId: number, passwordHash: string): Promise<VideoPasswordRow> {
  const { rows: [row] } = await db.query<VideoPasswordRow>(
    'INSERT INTO video_passwords (video_id, password_hash) VALUES ($1, $2) RETURNING *', [videoId, passwordHash]);
  return row;
}

/** Replaces every password of the video; `db` should be a client inside a transaction. */
export async function replaceVideoPasswords(db: Db, videoId: number, passwordHashes: string[]): Promise<void> {
  await db.query('DELETE FROM video_passwords WHERE video_id = $1', [videoId]);
  for (const hash of passwordHashes) await insertVideoPassword(db, videoId, hash);
}

/** Copies the (hashed) passwords of one video to another: a permanent live's replay keeps its live's passwords. */
export async function copyVideoPasswords(db: Db, fromVideoId: number, toVideoId: number): Promise<void> {
  await db.query(
    `INSERT INTO video_passwords (video_id, password_hash)
     SELECT $2, password_hash FROM video_passwords WHERE video_id = $1 ORDER BY id`, [fromVideoId, toVideoId]);
}

export async function deleteVideoPassword(db: Db, videoId: number, passwordId: number): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM video_passwords WHERE video_id = $1 AND id = $2', [videoId, passwordId]);
  return (rowCount ?? 0) > 0;
}
