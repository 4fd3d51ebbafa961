// OAuth2 bearer tokens (PeerTube's password and refresh_token grants). Only hashes are stored,
// so a leaked database does not leak live sessions.
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { oauth } from '../../db/index.ts';

const ACCESS_TOKEN_LIFETIME_S = 24 * 3600;
const REFRESH_TOKEN_LIFETIME_S = 14 * 24 * 3600;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface IssuedToken {
  token_type: 'Bearer';
  access_token: string;
  refresh_token: string;
  expires_in: number;
  refresh_token_expires_in: number;
}

export async function issueToken(pool: pg.Pool, userId: number): Promise<IssuedToken> {
  const access = randomBytes(32).toString('hex');
  const refresh = randomBytes(32).toString('hex');
  const now = Date.now();
  await oauth.insertToken(pool, {
    userId,
    accessHash: hashToken(access),
    refreshHash: hashToken(refresh),
    accessExpiresAt: new Date(now + ACCESS_TOKEN_LIFETIME_S * 1000),
    refreshExpiresAt: new Date(now + REFRESH_TOKEN_LIFETIME_S * 1000),
  });
  return {
    token_type: 'Bearer',
    access_token: access,
    refresh_token: refresh,
    expires_in: ACCESS_TOKEN_LIFETIME_S,
    refresh_token_expires_in: REFRESH_TOKEN_LIFETIME_S,
  };
}
