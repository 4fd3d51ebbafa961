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
  /** Where the replay job is going (video and media path), recorded before it moves anything. */
  replay_target_video_id: number | null;
  replay_target_path: string | null;
}

export async function startLiveSession(pool: pg.Pool, liveId: number, protocol: string, saveReplay: boolean, ownerLock: string): Promise<LiveSessionRow> {
  const { rows: [row] } = await pool.query<LiveSessionRow>(
    'INSERT INTO live_sessions (live_id, protocol, save_replay, owner_lock) VALUES ($1, $2, $3, $4) RETURNING *',
    [liveId, protocol, saveReplay, ownerLock]);
  return row;
}

export async function findLiveSession(pool: pg.Pool, id: number): Promise<LiveSessionRow | undefined> {
  const { rows } = await pool.query<LiveSessionRow>('SELECT * FROM live_sessions WHERE id = $1', [id]);
  return rows[0];
}

export async function setReplayVideo(pool: pg.Pool | pg.PoolClient, id: number, videoId: number): Promise<void> {
  await pool.query('UPDATE live_sessions SET replay_video_id = $2 WHERE id = $1', [id, videoId]);
}

/**
 * Records where the session's replay goes, unless a target is already recorded (another run of the
 * job got there first, in which case that one is kept). True when this call recorded it.
 */
export async function setReplayTarget(db: pg.Pool | pg.PoolClient, id: number, videoId: number, path: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE live_sessions SET replay_target_video_id = $2, replay_target_path = $3
     WHERE id = $1 AND replay_target_video_id IS NULL`, [id, videoId, path]);
  return rowCount === 1;
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
 * Sessions left open by server processes that are gone (stopped mid-stream, crashed). Sessions of
 * processes still running (several processes on one database) are left alone. Closing them returns
 * the video ids, so the caller can move each live to its after-stream state.
 */
export async function closeDanglingSessions(pool: pg.Pool, isGone: (ownerLock: string) => Promise<boolean>):
  Promise<Array<{ sessionId: number; videoId: number; permanent: boolean; saveReplay: boolean }>> {
  const { rows: open } = await pool.query<{ id: number; owner_lock: string | null }>(
    'SELECT id, owner_lock FROM live_sessions WHERE ended_at IS NULL');
  const gone: number[] = [];
  for (const session of open) {
    if (session.owner_lock === null || await isGone(session.owner_lock)) gone.push(session.id);
  }
  const { rows } = await pool.query<{ id: number; video_id: number; permanent_live: boolean; save_replay: boolean }>(
    `UPDATE live_sessions s SET ended_at = now() FROM lives l
     WHERE s.live_id = l.id AND s.ended_at IS NULL AND s.id = ANY($1)
     RETURNING s.id, l.video_id, l.permanent_live, s.save_replay`, [gone]);
  return rows.map((row) => ({ sessionId: row.id, videoId: row.video_id, permanent: row.permanent_live, saveReplay: row.save_replay }));
}

/** The process locks of a live's open sessions (normally none, or this process's). */
export async function openSessionOwners(pool: pg.Pool, liveId: number): Promise<string[]> {
  const { rows } = await pool.query<{ owner_lock: string | null }>(
    'SELECT owner_lock FROM live_sessions WHERE live_id = $1 AND ended_at IS NULL', [liveId]);
  return rows.flatMap((row) => row.owner_lock === null ? [] : [row.owner_lock]);
}
