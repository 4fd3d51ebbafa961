// One transaction: BEGIN, the work, COMMIT; ROLLBACK when the work throws. The client is the work's
// for the transaction's length and goes back to the pool whatever happens.
import type pg from 'pg';

export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await inTransaction(client, work);
  } finally {
    client.release();
  }
}

/** The same on a client the caller already holds (and keeps): migrations run under a session-level lock. */
export async function inTransaction<C extends pg.ClientBase, T>(client: C, work: (client: C) => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
