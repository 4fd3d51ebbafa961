// Server-wide secrets, made once and shared by every process of the instance.
import type pg from 'pg';

/** The secret called `name`; the first caller stores `generate()`, everyone (also racing) reads the stored one. */
export async function getOrCreateSecret(pool: pg.Pool, name: string, generate: () => Buffer): Promise<Buffer> {
  await pool.query('INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, generate()]);
  const { rows: [row] } = await pool.query<{ value: Buffer }>('SELECT value FROM server_secrets WHERE name = $1', [name]);
  return row.value;
}
