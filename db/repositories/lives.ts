import type pg from 'pg';

export interface LiveRow {
  id: number;
  video_id: number;
  /** Migration 010: hex SHA-256 of the stream key (lookup) and its AES-256-GCM ciphertext (the owner's copy). */
  stream_key_hash: string;
  stream_key_sealed: Buffer | null;
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

/** A stream key as stored: never in clear (core/live/stream-keys.ts). */
export interface StoredStreamKey { hash: string; sealed: Buffer }

const LIVE_COLUMNS = 'id, video_id, stream_key_hash, stream_key_sealed, save_replay, replay_privacy, permanent_live, latency_mode, chat_room';

export async function insertLive(db: pg.Pool | pg.PoolClient, videoId: number, streamKey: StoredStreamKey, settings: LiveSettings): Promise<void> {
  await db.query(
    `INSERT INTO lives (video_id, stream_key_hash, stream_key_sealed, save_replay, replay_privacy, permanent_live, latency_mode, chat_room)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [videoId, streamKey.hash, streamKey.sealed, settings.saveReplay, settings.replayPrivacy, settings.permanentLive, settings.latencyMode, settings.chatRoom ?? 'video']);
}

/** Rotation: the old key stops matching as soon as this commits. */
export async function replaceStreamKey(pool: pg.Pool, id: number, streamKey: StoredStreamKey): Promise<void> {
  await pool.query('UPDATE lives SET stream_key_hash = $2, stream_key_sealed = $3, stream_key = NULL WHERE id = $1', [id, streamKey.hash, streamKey.sealed]);
}

/** Keys left in clear by the lives made before migration 010: sealed, then erased. */
export async function sealClearStreamKeys(pool: pg.Pool, seal: (streamKey: string) => Buffer): Promise<void> {
  const { rows } = await pool.query<{ id: number; stream_key: string }>('SELECT id, stream_key::text FROM lives WHERE stream_key IS NOT NULL');
  for (const row of rows) {
    await pool.query('UPDATE lives SET stream_key_sealed = $2, stream_key = NULL WHERE id = $1 AND stream_key IS NOT NULL', [row.id, seal(row.stream_key)]);
  }
}

export async function findLiveByVideoId(pool: pg.Pool, videoId: number): Promise<LiveRow | undefined> {
  const { rows } = await pool.query<LiveRow>(`SELECT ${LIVE_COLUMNS} FROM lives WHERE video_id = $1`, [videoId]);
  return rows[0];
}

export async function findLiveByStreamKeyHash(pool: pg.Pool, hash: string): Promise<LiveRow | undefined> {
  const { rows } = await pool.query<LiveRow>(`SELECT ${LIVE_COLUMNS} FROM lives WHERE stream_key_hash = $1`, [hash]);
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
