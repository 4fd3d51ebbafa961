// Each server process holds a Postgres advisory lock with a random key on its own connection for
// as long as it lives. Postgres releases it when the process (or its connection) dies, so "can I
// take this key?" answers "is that process gone?" without heartbeats.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface ProcessLock {
  /** This process's key (a bigint, as text). */
  key: string;
  /** Whether the process that held `key` is gone. */
  isGone(key: string): Promise<boolean>;
  release(): Promise<void>;
}

export async function holdProcessLock(url: string): Promise<ProcessLock> {
  const client = new pg.Client({ connectionString: url });
  // A lost connection only means the lock is gone; the pool reports real database trouble.
  client.on('error', () => undefined);
  await client.connect();
  // 62 random bits: positive, and distinct from the small fixed keys used for migrations and the bridge.
  const key = (randomBytes(8).readBigUInt64BE() >> 2n | 1n << 40n).toString();
  await client.query('SELECT pg_advisory_lock($1::bigint)', [key]);
  return {
    key,
    async isGone(other) {
      if (other === key) return false;
      const { rows: [row] } = await client.query<{ taken: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS taken', [other]);
      if (row.taken) await client.query('SELECT pg_advisory_unlock($1::bigint)', [other]);
      return row.taken;
    },
    async release() {
      await client.end().catch(() => undefined);
    },
  };
}
