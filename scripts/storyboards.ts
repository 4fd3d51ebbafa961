// `npm run storyboards [-- --all]`: queues the storyboard of every on-demand video that has none
// (or of all of them with --all), then shows the progress until the jobs are done.
//
// The work is done by the running server's `storyboard` worker: this script only talks to the
// same database (DATABASE_URL, or the embedded Postgres of `npm start` on database.embeddedPort),
// so the server must be running. It does not start the embedded Postgres itself: that cluster
// belongs to the server process, and two postmasters cannot share its data folder.
import pg from 'pg';
import { loadConfig, createLogger } from '../config/index.ts';
import { startJobQueue } from '../jobs/index.ts';
import { storyboards } from '../db/index.ts';
import { requestStoryboard } from '../core/vod/storyboard-job.ts';

const BAR_WIDTH = 20;
const POLL_MS = 500;

function bar(fraction: number, width = BAR_WIDTH): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

async function main(): Promise<number> {
  const all = process.argv.includes('--all');
  const config = loadConfig();
  const url = config.database.url || `postgres://livecast:livecast@127.0.0.1:${config.database.embeddedPort}/livecast`;
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    await pool.query('SELECT 1 FROM video_storyboards LIMIT 1');
  } catch (error) {
    process.stderr.write(`cannot reach the database at ${url.replace(/:[^:@/]+@/, ':***@')} (${(error as Error).message}).\n` +
      'Start the server first (npm start): its storyboard worker makes the storyboards.\n');
    await pool.end();
    return 1;
  }
  const targets = await storyboards.listOnDemandVideos(pool, !all);
  if (targets.length === 0) {
    process.stdout.write('every on-demand video already has a storyboard (use --all to make them again)\n');
    await pool.end();
    return 0;
  }
  const jobs = await startJobQueue(url, createLogger('error', 'storyboards'));
  for (const video of targets) await requestStoryboard(pool, jobs, video.id);
  process.stdout.write(`queued ${targets.length} storyboard${targets.length > 1 ? 's' : ''}\n`);

  const tty = process.stdout.isTTY;
  const names = new Map(targets.map((video) => [video.id, video.name]));
  let lastLine = '';
  let failed = 0;
  for (;;) {
    const { rows } = await pool.query<{ video_id: number; state: string; progress: number; error: string | null }>(
      'SELECT video_id, state, progress, error FROM video_storyboards WHERE video_id = ANY($1)', [targets.map((video) => video.id)]);
    const finished = rows.filter((row) => row.state === 'done' || row.state === 'failed');
    failed = rows.filter((row) => row.state === 'failed').length;
    const running = rows.filter((row) => row.state === 'running');
    const current = running.map((row) => `#${row.video_id} ${(names.get(row.video_id) ?? '').slice(0, 24)} ${bar(row.progress, 10)} ${Math.round(row.progress * 100)}%`).join(' | ');
    const line = `${bar(finished.length / targets.length)} ${finished.length}/${targets.length}${failed ? ` (${failed} failed)` : ''}${current ? `  ${current}` : ''}`;
    if (tty) process.stdout.write(`\r${line.padEnd(Math.max(lastLine.length, line.length))}`);
    else if (line !== lastLine) process.stdout.write(`${line}\n`);
    lastLine = line;
    if (finished.length === targets.length) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  if (tty) process.stdout.write('\n');
  const { rows: failures } = await pool.query<{ video_id: number; error: string | null }>(
    "SELECT video_id, error FROM video_storyboards WHERE state = 'failed' AND video_id = ANY($1)", [targets.map((video) => video.id)]);
  for (const failure of failures) process.stderr.write(`video ${failure.video_id}: ${failure.error ?? 'failed'}\n`);
  await jobs.stop();
  await pool.end();
  return failed ? 1 : 0;
}

const code = await main();
process.exitCode = code;
if (code) process.exit(code);
