// Opens the database (embedded or external), applies migrations, and hands back a pool.
import pg from 'pg';
import type { Config, Logger } from '../config/index.ts';
import { startEmbeddedPostgres } from './embedded.ts';
import { migrate } from './migrate.ts';
import { holdProcessLock, type ProcessLock } from './process-lock.ts';

export interface Database {
  pool: pg.Pool;
  url: string;
  /** This process's liveness lock: live sessions record its key (see db/process-lock.ts). */
  processLock: ProcessLock;
  close(): Promise<void>;
}

export async function openDatabase(config: Config, log: Logger): Promise<Database> {
  const embedded = config.database.url
    ? undefined
    : await startEmbeddedPostgres(config.storage.dataDir, config.database.embeddedPort, log.child('postgres'));
  const url = config.database.url || embedded!.url;
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  let closing = false;
  // Idle clients report the server going away during shutdown; that is expected then.
  pool.on('error', (error) => { if (!closing) log.error(`database pool: ${error.message}`); });
  try {
    await migrate(pool, log.child('migrate'));
  } catch (error) {
    await pool.end();
    await embedded?.stop();
    throw error;
  }
  const processLock = await holdProcessLock(url);
  return {
    pool,
    url,
    processLock,
    async close() {
      closing = true;
      await processLock.release();
      await pool.end();
      await embedded?.stop();
    },
  };
}
