// pg-boss on the application's own database: every long task becomes a persisted job.
import { PgBoss } from 'pg-boss';
import type { Logger } from '../config/index.ts';

export interface JobQueue {
  boss: PgBoss;
  stop(): Promise<void>;
}

export async function startJobQueue(databaseUrl: string, log: Logger): Promise<JobQueue> {
  const boss = new PgBoss({ connectionString: databaseUrl, schema: 'pgboss' });
  boss.on('error', (error: Error) => log.error(`job queue: ${error.message}`));
  await boss.start();
  log.info('job queue started');
  return {
    boss,
    stop: () => boss.stop({ graceful: true, timeout: 5000 }),
  };
}
