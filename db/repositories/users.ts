import type pg from 'pg';
import { withTransaction } from '../transaction.ts';

export interface UserRow {
  id: number;
  username: string;
  email: string;
  password_hash: string;
  role: number;
  created_at: Date;
  account_id: number;
  account_display_name: string;
  channel_id: number;
  channel_name: string;
}

const SELECT_USER = `
  SELECT u.*, a.id AS account_id, a.display_name AS account_display_name,
         c.id AS channel_id, c.name AS channel_name
  FROM users u
  JOIN accounts a ON a.user_id = u.id
  JOIN LATERAL (SELECT id, name FROM channels WHERE account_id = a.id ORDER BY id LIMIT 1) c ON true`;

export interface NewUser { username: string; email: string; passwordHash: string; role: number }

/** A user always comes with an account and a default channel, created in one transaction. */
export async function createUserWithChannel(pool: pg.Pool, user: NewUser): Promise<UserRow> {
  await withTransaction(pool, async (client) => {
    const { rows: [inserted] } = await client.query<{ id: number }>(
      'INSERT INTO users (username, email, password_hash, role) VALUES ($1, $2, $3, $4) RETURNING id',
      [user.username, user.email, user.passwordHash, user.role]);
    const { rows: [account] } = await client.query<{ id: number }>(
      'INSERT INTO accounts (user_id, name, display_name) VALUES ($1, $2, $2) RETURNING id',
      [inserted.id, user.username]);
    await client.query(
      'INSERT INTO channels (account_id, name, display_name) VALUES ($1, $2, $3)',
      [account.id, `${user.username}_channel`, `Main ${user.username} channel`]);
  });
  return (await findUserByUsername(pool, user.username))!;
}

export async function findUserByUsername(pool: pg.Pool, username: string): Promise<UserRow | undefined> {
  const { rows } = await pool.query<UserRow>(`${SELECT_USER} WHERE lower(u.username) = lower($1)`, [username]);
  return rows[0];
}

export async function findUserById(pool: pg.Pool, id: number): Promise<UserRow | undefined> {
  const { rows } = await pool.query<UserRow>(`${SELECT_USER} WHERE u.id = $1`, [id]);
  return rows[0];
}

export async function listUsers(pool: pg.Pool, start: number, count: number): Promise<{ total: number; rows: UserRow[] }> {
  const { rows } = await pool.query<UserRow>(`${SELECT_USER} ORDER BY u.id LIMIT $1 OFFSET $2`, [count, start]);
  const { rows: [{ total }] } = await pool.query<{ total: number }>('SELECT count(*)::int AS total FROM users');
  return { total, rows };
}

export async function countUsers(pool: pg.Pool): Promise<number> {
  const { rows: [{ total }] } = await pool.query<{ total: number }>('SELECT count(*)::int AS total FROM users');
  return total;
}

export async function channelBelongsToUser(pool: pg.Pool, channelId: number, userId: number): Promise<boolean> {
  const { rowCount } = await pool.query(
    'SELECT 1 FROM channels c JOIN accounts a ON a.id = c.account_id WHERE c.id = $1 AND a.user_id = $2',
    [channelId, userId]);
  return rowCount === 1;
}

/** The same password, hashed with today's parameters; only if no one changed it meanwhile. */
export async function replacePasswordHash(pool: pg.Pool, id: number, oldHash: string, newHash: string): Promise<void> {
  await pool.query('UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2', [id, oldHash, newHash]);
}

/** A new password signs the user out everywhere else: every token but the current one goes. */
export async function changePassword(pool: pg.Pool, id: number, passwordHash: string, keepTokenId: number | undefined): Promise<void> {
  await pool.query('UPDATE users SET password_hash = $2 WHERE id = $1', [id, passwordHash]);
  await pool.query('DELETE FROM oauth_tokens WHERE user_id = $1 AND id IS DISTINCT FROM $2', [id, keepTokenId ?? null]);
}
