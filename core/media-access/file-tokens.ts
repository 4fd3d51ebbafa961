// Video file tokens (PeerTube's POST /videos/{id}/token): a short-lived capability to fetch one
// video's media by URL (`?videoFileToken=`), for players that cannot send headers on every request
// (native HLS, <img>). Stateless: `<video uuid>.<expiry ms>.<HMAC-SHA256>` with a server secret, so any
// process of the instance checks a token without a database round trip per segment.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { serverSecrets } from '../../db/index.ts';

/**
 * Two hours: long enough for a viewer to start and seek through a long replay (the watch page asks a
 * new one when playback fails), short enough that a leaked URL soon stops working. PeerTube keeps its
 * tokens a few hours too. Tokens are not revoked by a privacy or password change before they expire.
 */
export const FILE_TOKEN_VALIDITY_MS = 2 * 3600 * 1000;
const SECRET_NAME = 'video-file-token-hmac';

export interface FileToken { token: string; expires: Date }

export interface FileTokens {
  issue(videoUuid: string, now?: number): Promise<FileToken>;
  /** True when `token` was issued for this video and has not expired. */
  verify(token: string, videoUuid: string, now?: number): Promise<boolean>;
}

export function createFileTokens(loadSecret: () => Promise<Buffer>): FileTokens {
  let secret: Promise<Buffer> | undefined;
  const key = () => secret ??= loadSecret().catch((error: unknown) => { secret = undefined; throw error; });
  const sign = async (payload: string) => createHmac('sha256', await key()).update(payload).digest('base64url');
  return {
    async issue(videoUuid, now = Date.now()) {
      const expires = now + FILE_TOKEN_VALIDITY_MS;
      const payload = `${videoUuid}.${expires}`;
      return { token: `${payload}.${await sign(payload)}`, expires: new Date(expires) };
    },
    async verify(token, videoUuid, now = Date.now()) {
      const match = /^([0-9a-f-]{36})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(token);
      if (!match || match[1] !== videoUuid || Number(match[2]) <= now) return false;
      const expected = Buffer.from(await sign(`${match[1]}.${match[2]}`));
      const actual = Buffer.from(match[3]);
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
  };
}

/** The instance's tokens, keyed by a secret kept in the database (made on first use). */
export function databaseFileTokens(pool: pg.Pool): FileTokens {
  return createFileTokens(() => serverSecrets.getOrCreateSecret(pool, SECRET_NAME, () => randomBytes(32)));
}
