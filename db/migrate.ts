// Versioned SQL migrations: files NNN_name.sql applied in order, once each, in a transaction.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import type { Logger } from '../config/index.ts';
import { inTransaction } from './transaction.ts';

const MIGRATIONS_DIR = join(import.meta.dirname, 'migrations');

export async function migrate(pool: pg.Pool, log: Logger): Promise<void> {
  const client = await pool.connect();
  try {
    // Two servers starting at once on one database must not apply the same migration twice.
    await client.query('SELECT pg_advisory_lock(7413001)');
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => row.version));
    const files = readdirSync(MIGRATIONS_DIR).filter((file) => /^\d+_.+\.sql$/.test(file)).sort();
    for (const file of files) {
      const version = Number.parseInt(file, 10);
      if (applied.has(version)) continue;
      await inTransaction(client, async () => {
        await client.query(readFileSync(join(MIGRATIONS_DIR, file), 'utf8'));
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [version, file]);
      }).catch((error: Error) => {
        throw new Error(`migration ${file} failed: ${error.message}`);
      });
      log.info(`applied migration ${file}`);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(7413001)').catch(() => undefined);
    client.release();
  }
}
