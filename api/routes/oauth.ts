import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { oauth, users } from '../../db/index.ts';
import type { AppContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { tooManyRequests } from '../../core/errors.ts';
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from '../../core/auth/password.ts';
import { GuessLimiter, type GuessRule } from '../../core/auth/guess-limiter.ts';
import { hashToken, issueToken } from '../auth/tokens.ts';
import { bearerOf } from '../auth/authenticate.ts';
import { TokenRequest, TokenResponse } from '../schemas/user.ts';
import { ErrorBody } from '../schemas/common.ts';

export function oauthRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  const { pool } = context;
  const limits = context.config.auth;
  const perClient: GuessRule = { prefix: 'login-client', maxFailures: limits.loginFailuresPerIp, windowSeconds: limits.guessWindowSeconds };
  const perUsername: GuessRule = { prefix: 'login-username', maxFailures: limits.loginFailuresPerUsername, windowSeconds: limits.guessWindowSeconds };
  const guesses = new GuessLimiter();

  /**
   * The password grant: failed tries are counted per client and per username before any scrypt
   * (429 beyond), unknown usernames cost the same scrypt as known ones (no timing probe), and a
   * hash made with weaker parameters than today's is replaced by a new one.
   */
  async function userOfCredentials(ip: string, username: string | undefined, password: string | undefined): Promise<number> {
    const ticket = guesses.reserve([[perClient, ip], [perUsername, username?.toLowerCase()]]);
    if (!ticket.allowed) throw tooManyRequests(`Too many failed logins: try again in ${ticket.retryAfterSeconds} s`, ticket.retryAfterSeconds);
    const user = username ? await users.findUserByUsername(pool, username) : undefined;
    const valid = user && password !== undefined
      ? await verifyPassword(password, user.password_hash)
      : await verifyAgainstDummy(password ?? '');
    if (!user || !valid) throw new HttpError(400, 'invalid_grant', 'Invalid credentials');
    ticket.succeeded();
    if (needsRehash(user.password_hash)) await users.replacePasswordHash(pool, user.id, user.password_hash, await hashPassword(password!));
    return user.id;
  }

  return async (app) => {
    app.get('/oauth-clients/local', {
      config: { anonymous: true },
      schema: { tags: ['Session'], response: { 200: Type.Object({ client_id: Type.String(), client_secret: Type.String() }) } },
    }, async () => oauth.getOrCreateLocalClient(pool));

    app.post('/users/token', {
      config: { anonymous: true, rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['Session'],
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        body: TokenRequest,
        response: { 200: TokenResponse, 400: ErrorBody, 429: ErrorBody },
      },
    }, async (request) => {
      const body = request.body;
      const client = await oauth.getOrCreateLocalClient(pool);
      if (body.client_id !== client.client_id || body.client_secret !== client.client_secret) {
        throw new HttpError(400, 'invalid_client', 'Invalid client');
      }
      if (body.grant_type === 'password') {
        return issueToken(pool, await userOfCredentials(request.ip, body.username, body.password));
      }
      // A refresh token is single-use: the old pair dies with it, in the one statement that reads it,
      // so that two concurrent refreshes cannot both spend it.
      const token = body.refresh_token ? await oauth.consumeRefreshToken(pool, hashToken(body.refresh_token)) : undefined;
      if (!token) throw new HttpError(400, 'invalid_grant', 'Invalid refresh token');
      return issueToken(pool, token.user_id);
    });

    app.post('/users/revoke-token', {
      schema: { tags: ['Session'], response: { 200: Type.Object({}), 401: ErrorBody } },
    }, async (request) => {
      if (!request.user || request.tokenId === undefined || !bearerOf(request)) {
        throw new HttpError(401, 'unauthorized', 'Authentication required');
      }
      await oauth.deleteToken(pool, request.tokenId);
      return {};
    });
  };
}
