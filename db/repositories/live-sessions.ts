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
  save_replay: boolean;
  replay_video_id: number | null;
}

export async function startLiveSession(pool: pg.Pool, liveId: number, protocol: string, saveReplay: boolean): Promise<LiveSessionRow> {
  const { rows: [row] } = await pool.query<LiveSessionRow>(
    'INSERT INTO live_sessions (live_id, protocol, save_replay) VALUES ($1, $2, $3) RETURNING *', [liveId, protocol, saveReplay]);
  return row;
}

export async function findLiveSession(pool: pg.Pool, id: number): Promise<LiveSessionRow | undefined> {
  const { rows } = await pool.query<LiveSessionRow>('SELECT * FROM live_sessions WHERE id = $1', [id]);
  return rows[0];
}

export async function setReplayVideo(pool: pg.Pool | pg.PoolClient, id: number, videoId: number): Promise<void> {
  await pool.query('UPDATE live_sessions SET replay_video_id = $2 WHERE id = $1', [id, videoId]);
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
export async function closeDanglingSessions(pool: pg.Pool): Promise<Array<{ sessionId: number; videoId: number; permanent: boolean; saveReplay: boolean }>> {
  const { rows } = await pool.query<{ id: number; video_id: number; permanent_live: boolean; save_replay: boolean }>(
    `UPDATE live_sessions s SET ended_at = now() FROM lives l
     WHERE s.live_id = l.id AND s.ended_at IS NULL
     RETURNING s.id, l.video_id, l.permanent_live, s.save_replay`);
  return rows.map((row) => ({ sessionId: row.id, videoId: row.video_id, permanent: row.permanent_live, saveReplay: row.save_replay }));
}
