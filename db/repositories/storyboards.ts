import type pg from 'pg';

export type StoryboardState = 'pending' | 'running' | 'done' | 'failed';

export interface StoryboardRow {
  video_id: number;
  state: StoryboardState;
  progress: number;
  error: string | null;
  filename: string | null;
  total_width: number | null;
  total_height: number | null;
  sprite_width: number | null;
  sprite_height: number | null;
  sprite_duration: number | null;
  updated_at: Date;
}

export interface StoryboardGeometry {
  filename: string; totalWidth: number; totalHeight: number; spriteWidth: number; spriteHeight: number; spriteDuration: number;
}

export async function findStoryboard(db: pg.Pool, videoId: number): Promise<StoryboardRow | undefined> {
  const { rows } = await db.query<StoryboardRow>('SELECT * FROM video_storyboards WHERE video_id = $1', [videoId]);
  return rows[0];
}

/** Marks a storyboard as queued (again): progress back to 0, previous geometry kept until done. */
export async function markPending(db: pg.Pool, videoId: number): Promise<void> {
  await db.query(
    `INSERT INTO video_storyboards (video_id, state, progress) VALUES ($1, 'pending', 0)
     ON CONFLICT (video_id) DO UPDATE SET state = 'pending', progress = 0, error = NULL, updated_at = now()`, [videoId]);
}

export async function setProgress(db: pg.Pool, videoId: number, state: StoryboardState, progress: number, error: string | null = null): Promise<void> {
  await db.query(
    `INSERT INTO video_storyboards (video_id, state, progress, error) VALUES ($1, $2, $3, $4)
     ON CONFLICT (video_id) DO UPDATE SET state = $2, progress = $3, error = $4, updated_at = now()`,
    [videoId, state, progress, error]);
}

export async function markDone(db: pg.Pool, videoId: number, geometry: StoryboardGeometry): Promise<void> {
  await db.query(
    `INSERT INTO video_storyboards (video_id, state, progress, filename, total_width, total_height, sprite_width, sprite_height, sprite_duration)
     VALUES ($1, 'done', 1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (video_id) DO UPDATE SET state = 'done', progress = 1, error = NULL, filename = $2, total_width = $3,
       total_height = $4, sprite_width = $5, sprite_height = $6, sprite_duration = $7, updated_at = now()`,
    [videoId, geometry.filename, geometry.totalWidth, geometry.totalHeight, geometry.spriteWidth, geometry.spriteHeight, geometry.spriteDuration]);
}

/** On-demand videos with media; `withoutStoryboard`: only those with no finished storyboard. */
export async function listOnDemandVideos(db: pg.Pool, withoutStoryboard: boolean): Promise<Array<{ id: number; uuid: string; name: string }>> {
  const { rows } = await db.query<{ id: number; uuid: string; name: string }>(
    `SELECT v.id, v.uuid, v.name FROM videos v LEFT JOIN video_storyboards s ON s.video_id = v.id
     WHERE NOT v.is_live AND v.hls_path IS NOT NULL ${withoutStoryboard ? "AND (s.state IS NULL OR s.state <> 'done')" : ''}
     ORDER BY v.id`);
  return rows;
}
