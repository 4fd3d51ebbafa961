// pg-boss on the application's own database: every long task becomes a persisted job with
// retries, which survives a restart of the server.
import { PgBoss } from 'pg-boss';
import type { Logger } from '../config/index.ts';

export interface QueueOptions {
  retryLimit?: number;
  /** Seconds before the first retry; doubled at each one. */
  retryDelaySeconds?: number;
}

export interface JobQueue {
  boss: PgBoss;
  /** Registers the handler of a queue (creating the queue if needed). A throw retries the job. */
  handle<T extends object>(name: string, handler: (data: T) => Promise<void>, options?: QueueOptions): Promise<void>;
  enqueue<T extends object>(name: string, data: T): Promise<void>;
  stop(): Promise<void>;
}

export async function startJobQueue(databaseUrl: string, log: Logger): Promise<JobQueue> {
  const boss = new PgBoss({ connectionString: databaseUrl, schema: 'pgboss' });
  boss.on('error', (error: Error) => log.error(`job queue: ${error.message}`));
  await boss.start();
  log.info('job queue started');
  const created = new Set<string>();
  const ensureQueue = async (name: string, options: QueueOptions = {}) => {
    if (created.has(name)) return;
    await boss.createQueue(name, {
      retryLimit: options.retryLimit ?? 3,
      retryDelay: options.retryDelaySeconds ?? 10,
      retryBackoff: true,
    });
    created.add(name);
  };
  return {
    boss,
    async handle(name, handler, options) {
      await ensureQueue(name, options);
      await boss.work<object>(name, { pollingIntervalSeconds: 1, batchSize: 1 }, async (jobs) => {
        for (const job of jobs) {
          log.info(`job ${name} ${job.id} started`);
          await handler(job.data as Parameters<typeof handler>[0]);
          log.info(`job ${name} ${job.id} done`);
        }
      });
    },
    async enqueue(name, data) {
      await ensureQueue(name);
      await boss.send(name, data);
    },
    stop: () => boss.stop({ graceful: true, timeout: 5000 }),
  };
}
