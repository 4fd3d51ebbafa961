// pg-boss on the application's own database: every long task becomes a persisted job with
// retries, which survives a restart of the server.
import { PgBoss } from 'pg-boss';
import type { Logger } from '../config/index.ts';

export interface QueueOptions {
  retryLimit?: number;
  /** Seconds before the first retry; doubled at each one. */
  retryDelaySeconds?: number;
  /**
   * How long one run may last before pg-boss fails it, aborts its signal and retries it. Set it from
   * the work the queue does: pg-boss's own default (15 min) retried long transcodes while they ran.
   */
  expireInSeconds?: number;
  /** The worker refreshes the job every half of this; a job not heard from this long is retried. */
  heartbeatSeconds?: number;
}

/** What a handler learns of the run it is in. */
export interface JobRun {
  /** Aborted when the run must stop: expired, claim lost (heartbeat), or the server stops. */
  signal: AbortSignal;
  /** 0 on the first run, then one more on each retry. */
  retryCount: number;
}

export interface JobQueue {
  boss: PgBoss;
  /** Registers the handler of a queue (creating the queue if needed). A throw retries the job. */
  handle<T extends object>(name: string, handler: (data: T, run: JobRun) => Promise<void>, options?: QueueOptions): Promise<void>;
  enqueue<T extends object>(name: string, data: T): Promise<void>;
  stop(): Promise<void>;
}

export async function startJobQueue(databaseUrl: string, log: Logger): Promise<JobQueue> {
  const boss = new PgBoss({ connectionString: databaseUrl, schema: 'pgboss' });
  boss.on('error', (error: Error) => log.error(`job queue: ${error.message}`));
  await boss.start();
  log.info('job queue started');
  const created = new Set<string>();
  const ensureQueue = async (name: string) => {
    if (created.has(name)) return;
    await boss.createQueue(name);
    created.add(name);
  };
  return {
    boss,
    async handle(name, handler, options = {}) {
      await ensureQueue(name);
      // Applied on every start, so a queue created by an older version (or by the CLI) gets them too.
      await boss.updateQueue(name, {
        retryLimit: options.retryLimit ?? 3,
        retryDelay: options.retryDelaySeconds ?? 10,
        retryBackoff: true,
        ...(options.expireInSeconds ? { expireInSeconds: options.expireInSeconds } : {}),
        heartbeatSeconds: options.heartbeatSeconds ?? null,
      });
      await boss.work<object>(name, { pollingIntervalSeconds: 1, batchSize: 1 }, async (jobs) => {
        for (const job of jobs) {
          log.info(`job ${name} ${job.id} started${job.retryCount ? ` (retry ${job.retryCount})` : ''}`);
          try {
            await handler(job.data as Parameters<typeof handler>[0], { signal: job.signal, retryCount: job.retryCount });
          } catch (error) {
            log.warn(`job ${name} ${job.id} failed${job.signal.aborted ? ' (aborted)' : ''}: ${(error as Error).message}`);
            throw error;
          }
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
