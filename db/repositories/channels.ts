import type pg from 'pg';

export interface ChannelRow { id: number; name: string; display_name: string; account_id: number; owner_user_id: number }

export async function findChannelByName(pool: pg.Pool, name: string): Promise<ChannelRow | undefined> {
  const { rows } = await pool.query<ChannelRow>(
    `SELECT c.id, c.name, c.display_name, c.account_id, a.user_id AS owner_user_id
     FROM channels c JOIN accounts a ON a.id = c.account_id WHERE c.name = $1`, [name]);
  return rows[0];
}

export async function findAccountIdByName(pool: pg.Pool, name: string): Promise<number | undefined> {
  const { rows } = await pool.query<{ id: number }>('SELECT id FROM accounts WHERE name = $1', [name]);
  return rows[0]?.id;
}
