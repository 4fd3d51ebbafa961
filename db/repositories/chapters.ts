import type pg from 'pg';
import { withTransaction } from '../transaction.ts';

export interface Chapter { timecode: number; title: string }

export async function listChapters(db: pg.Pool | pg.PoolClient, videoId: number): Promise<Chapter[]> {
  const { rows } = await db.query<Chapter>(
    'SELECT timecode, title FROM video_chapters WHERE video_id = $1 ORDER BY timecode', [videoId]);
  return rows;
}

async function countChapters(db: pg.Pool | pg.PoolClient, videoId: number): Promise<number> {
  const { rows: [row] } = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM video_chapters WHERE video_id = $1', [videoId]);
  return row.count;
}

/** Replaces every chapter of the video, in one transaction. */
export async function replaceChapters(pool: pg.Pool, videoId: number, chapters: Chapter[]): Promise<void> {
  await withTransaction(pool, async (client) => {
    await client.query('DELETE FROM video_chapters WHERE video_id = $1', [videoId]);
    await insertChapters(client, videoId, chapters);
  });
}

/** Sets the chapters only when the video has none yet (concurrent imports: the first one wins). */
export async function insertChaptersIfNone(pool: pg.Pool, videoId: number, chapters: Chapter[]): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    await client.query('SELECT id FROM videos WHERE id = $1 FOR UPDATE', [videoId]);
    if (await countChapters(client, videoId) > 0) return false;
    await insertChapters(client, videoId, chapters);
    return true;
  });
}

async function insertChapters(client: pg.PoolClient, videoId: number, chapters: Chapter[]): Promise<void> {
  for (const chapter of chapters) {
    await client.query('INSERT INTO video_chapters (video_id, timecode, title) VALUES ($1, $2, $3)', [videoId, chapter.timecode, chapter.title]);
  }
}
