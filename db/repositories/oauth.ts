import { randomBytes } from 'node:crypto';
import type pg from 'pg';

export interface OAuthClient { client_id: string; client_secret: string }

/** The single local client that PeerTube clients fetch before the password grant. */
export async function getOrCreateLocalClient(pool: pg.Pool): Promise<OAuthClient> {
  const { rows } = await pool.query<OAuthClient>('SELECT client_id, client_secret FROM oauth_clients ORDER BY id LIMIT 1');
  if (rows[0]) return rows[0];
  const { rows: [created] } = await pool.query<OAuthClient>(
    'INSERT INTO oauth_clients (client_id, client_secret) VALUES ($1, $2) RETURNING client_id, client_secret',
    [randomBytes(16).toString('hex'), randomBytes(24).toString('hex')]);
  return created;
}

export interface TokenRow {
  id: number;
  user_id: number;
  access_expires_at: Date;
  refresh_expires_at: Date;
}

export async function insertToken(pool: pg.Pool, token: {
  userId: number; accessHash: string; refreshHash: string; accessExpiresAt: Date; refreshExpiresAt: Date;
}): Promise<void> {
  await pool.query(
    `INSERT INTO oauth_tokens (user_id, access_token_hash, refresh_token_hash, access_expires_at, refresh_expires_at)
     VALUES ($1, $2, $3, $4, $5)`,
    [token.userId, token.accessHash, token.refreshHash, token.accessExpiresAt, token.refreshExpiresAt]);
}

export async function findTokenByAccessHash(pool: pg.Pool, hash: string): Promise<TokenRow | undefined> {
  const { rows } = await pool.query<TokenRow>(
    'SELECT id, user_id, access_expires_at, refresh_expires_at FROM oauth_tokens WHERE access_token_hash = $1 AND access_expires_at > now()',
    [hash]);
  return rows[0];
}

/** Deletes the pair of a valid refresh token and returns it: of concurrent callers, exactly one gets it. */
export async function consumeRefreshToken(pool: pg.Pool, hash: string): Promise<TokenRow | undefined> {
  const { rows } = await pool.query<TokenRow>(
    `DELETE FROM oauth_tokens WHERE refresh_token_hash = $1 AND refresh_expires_at > now()
     RETURNING id, user_id, access_expires_at, refresh_expires_at`,
    [hash]);
  return rows[0];
}

export async function deleteToken(pool: pg.Pool, id: number): Promise<void> {
  await pool.query('DELETE FROM oauth_tokens WHERE id = $1', [id]);
}
