import type pg from 'pg';

export interface Chapter { timecode: number; title: string }

export async function listChapters(db: pg.Pool | pg.PoolClient, videoId: number): Promise<Chapter[]> {
  const { rows } = await db.query<Chapter>(
    'SELECT timecode, title FROM video_chapters WHERE video_id = $1 ORDER BY timecode', [videoId]);
  return rows;
}

export async function countChapters(db: pg.Pool | pg.PoolClient, videoId: number): Promise<number> {
  const { rows: [row] } = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM video_chapters WHERE video_id = $1', [videoId]);
  return row.count;
}

/** Replaces every chapter of the video, in one transaction. */
export async function replaceChapters(pool: pg.Pool, videoId: number, chapters: Chapter[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('DELETE FROM video_chapters WHERE video_id = $1', [videoId]);
    for (const chapter of chapters) {
      await client.query('INSERT INTO video_chapters (video_id, timecode, title) VALUES ($1, $2, $3)', [videoId, chapter.timecode, chapter.title]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Sets the chapters only when the video has none yet (concurrent imports: the first one wins). */
export async function insertChaptersIfNone(pool: pg.Pool, videoId: number, chapters: Chapter[]): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT id FROM videos WHERE id = $1 FOR UPDATE', [videoId]);
    if (await countChapters(client, videoId) > 0) {
      await client.query('ROLLBACK');
      return false;
    }
    for (const chapter of chapters) {
      await client.query('INSERT INTO video_chapters (video_id, timecode, title) VALUES ($1, $2, $3)', [videoId, chapter.timecode, chapter.title]);
    }
    await client.query('COMMIT');
    return true;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
