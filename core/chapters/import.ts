// Imports the chapters written in a video's description when it has none: when a replay (or,
// later, an upload) is published, and when its description changes.
import type pg from 'pg';
import { chapters, videos } from '../../db/index.ts';
import { chaptersFromDescription } from './parse.ts';

/** Returns how many chapters were imported (0: none found, or the video already had some). */
export async function importChaptersFromDescription(pool: pg.Pool, videoId: number, description?: string): Promise<number> {
  const text = description ?? (await videos.findVideo(pool, { id: videoId }))?.description;
  const found = chaptersFromDescription(text);
  if (found.length === 0) return 0;
  return await chapters.insertChaptersIfNone(pool, videoId, found) ? found.length : 0;
}
