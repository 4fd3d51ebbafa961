import type pg from 'pg';

export interface LiveSessionRow {
  id: number;
  live_id: number;
  protocol: string;
  started_at: Date;
  ended_at: Date | null;
  error: number | null;
  encoder: string | null;
  renditions: number[];
}

export async function startLiveSession(pool: pg.Pool, liveId: number, protocol: string): Promise<LiveSessionRow> {
  const { rows: [row] } = await pool.query<LiveSessionRow>(
    'INSERT INTO live_sessions (live_id, protocol) VALUES ($1, $2) RETURNING *', [liveId, protocol]);
  return row;
}

export async function describeLiveSession(pool: pg.Pool, id: number, encoder: string, renditions: number[]): Promise<void> {
  await pool.query('UPDATE live_sessions SET encoder = $2, renditions = $3 WHERE id = $1',
    [id, encoder, JSON.stringify(renditions)]);
}

export async function endLiveSession(pool: pg.Pool, id: number, error: number | null): Promise<void> {
  await pool.query('UPDATE live_sessions SET ended_at = now(), error = $2 WHERE id = $1 AND ended_at IS NULL', [id, error]);
}

export async function listLiveSessions(pool: pg.Pool, liveId: number): Promise<LiveSessionRow[]> {
  const { rows } = await pool.query<LiveSessionRow>(
    'SELECT * FROM live_sessions WHERE live_id = $1 ORDER BY started_at DESC, id DESC', [liveId]);
  return rows;
}

/**
 * Sessions left open by a server that stopped mid-stream. Closing them returns the video ids,
 * so the caller can move each live to its after-stream state.
 */
export async function closeDanglingSessions(pool: pg.Pool): Promise<Array<{ videoId: number; permanent: boolean }>> {
  const { rows } = await pool.query<{ video_id: number; permanent_live: boolean }>(
    `UPDATE live_sessions s SET ended_at = now() FROM lives l
     WHERE s.live_id = l.id AND s.ended_at IS NULL
     RETURNING l.video_id, l.permanent_live`);
  return rows.map((row) => ({ videoId: row.video_id, permanent: row.permanent_live }));
}
