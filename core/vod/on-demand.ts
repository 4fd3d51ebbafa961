// What follows the publication of an on-demand video (a replay or an upload): chapters
// from its description, and its storyboard. Call it once the video has its media (hls_path).
// After a re-upload of the source only the storyboard is made again (the chapters are the owner's).
import type pg from 'pg';
import type { Logger } from '../../config/index.ts';
import { importChaptersFromDescription } from '../chapters/import.ts';
import { requestStoryboard, type Enqueuer } from './storyboard-job.ts';

export async function afterOnDemandPublished(deps: { pool: pg.Pool; jobs: Enqueuer; log: Logger }, videoId: number): Promise<void> {
  try {
    const imported = await importChaptersFromDescription(deps.pool, videoId);
    if (imported) deps.log.info(`video ${videoId}: ${imported} chapters imported from its description`);
  } catch (error) {
    deps.log.error(`video ${videoId}: chapter import failed: ${(error as Error).message}`);
  }
  await requestStoryboard(deps.pool, deps.jobs, videoId);
}

export async function afterOnDemandReplaced(deps: { pool: pg.Pool; jobs: Enqueuer }, videoId: number): Promise<void> {
  await requestStoryboard(deps.pool, deps.jobs, videoId);
}
