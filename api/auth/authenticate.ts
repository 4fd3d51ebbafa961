// Resolves the bearer token (if any) to the user on every API request.
import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import { oauth, users, UserRole, type UserRow } from '../../db/index.ts';
import { hashToken } from './tokens.ts';
import { HttpError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route never looks at a bearer token (token endpoint): a stale one must not block it. */
    anonymous?: boolean;
  }
  interface FastifyRequest {
    user: UserRow | undefined;
    tokenId: number | undefined;
  }
}

export function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/** The user of an OAuth access token (sockets send it at connection); undefined when unknown or expired. */
export async function userOfAccessToken(pool: pg.Pool, accessToken: string): Promise<UserRow | undefined> {
  const token = await oauth.findTokenByAccessHash(pool, hashToken(accessToken));
  return token ? users.findUserById(pool, token.user_id) : undefined;
}

export async function resolveUser(pool: pg.Pool, request: FastifyRequest): Promise<void> {
  const bearer = bearerOf(request);
  if (!bearer || request.routeOptions.config?.anonymous) return;
  const token = await oauth.findTokenByAccessHash(pool, hashToken(bearer));
  if (!token) throw new HttpError(401, 'invalid_token', 'The access token is invalid or has expired');
  request.user = await users.findUserById(pool, token.user_id);
  request.tokenId = token.id;
}

export function requireUser(request: FastifyRequest): UserRow {
  if (!request.user) throw new HttpError(401, 'unauthorized', 'Authentication required');
  return request.user;
}

export function requireAdmin(request: FastifyRequest): UserRow {
  const user = requireUser(request);
  if (user.role !== UserRole.ADMINISTRATOR) throw new HttpError(403, 'forbidden', 'Administrator only');
  return user;
}

;
