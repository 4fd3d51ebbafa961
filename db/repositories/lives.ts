import type pg from 'pg';

export interface LiveRow {
  id: number;
  video_id: number;
  stream_key: string;
  save_replay: boolean;
  replay_privacy: number | null;
  permanent_live: boolean;
  latency_mode: number;
  /** Migration 007: one chat room per live video, or one per channel (permanent lives). */
  chat_room: 'video' | 'channel';
}

export interface LiveSettings {
  saveReplay: boolean;
  replayPrivacy: number | null;
  permanentLive: boolean;
  latencyMode: number;
  chatRoom?: 'video' | 'channel';
}

export async function insertLive(db: pg.Pool | pg.PoolClient, videoId: number, streamKey: string, settings: LiveSettings): Promise<void> {
  await db.query(
    `INSERT INTO lives (video_id, stream_key, save_replay, replay_privacy, permanent_live, latency_mode, chat_room)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [videoId, streamKey, settings.saveReplay, settings.replayPrivacy, settings.permanentLive, settings.latencyMode, settings.chatRoom ?? 'video']);
}

export async function findLiveByVideoId(pool: pg.Pool, videoId: number): Promise<LiveRow | undefined> {
  const { rows } = await pool.query<LiveRow>('SELECT * FROM lives WHERE video_id = $1', [videoId]);
  return rows[0];
}

export async function findLiveByStreamKey(pool: pg.Pool, streamKey: string): Promise<LiveRow | undefined> {
  const { rows } = await pool.query<LiveRow>('SELECT * FROM lives WHERE stream_key = $1', [streamKey]);
  return rows[0];
}

export async function updateLive(pool: pg.Pool, id: number, settings: Partial<LiveSettings>): Promise<void> {
  await pool.query(
    `UPDATE lives SET save_replay = coalesce($2, save_replay),
       replay_privacy = CASE WHEN $3::boolean THEN $4::smallint ELSE replay_privacy END,
       permanent_live = coalesce($5, permanent_live), latency_mode = coalesce($6, latency_mode),
       chat_room = coalesce($7, chat_room)
     WHERE id = $1`,
    [id, settings.saveReplay ?? null, settings.replayPrivacy !== undefined, settings.replayPrivacy ?? null,
      settings.permanentLive ?? null, settings.latencyMode ?? null, settings.chatRoom ?? null]);
}
