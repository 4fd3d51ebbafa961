import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { oauth, users } from '../../db/index.ts';
import type { AppContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { verifyPassword } from '../auth/password.ts';
import { hashToken, issueToken } from '../auth/tokens.ts';
import { bearerOf } from '../auth/authenticate.ts';
import { TokenRequest, TokenResponse } from '../schemas/user.ts';
import { ErrorBody } from '../schemas/common.ts';

export function oauthRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  const { pool } = context;
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
        response: { 200: TokenResponse, 400: ErrorBody },
      },
    }, async (request) => {
      const body = request.body;
      const client = await oauth.getOrCreateLocalClient(pool);
      if (body.client_id !== client.client_id || body.client_secret !== client.client_secret) {
        throw new HttpError(400, 'invalid_client', 'Invalid client');
      }
      if (body.grant_type === 'password') {
        const user = body.username ? await users.findUserByUsername(pool, body.username) : undefined;
        const valid = user !== undefined && body.password !== undefined && await verifyPassword(body.password, user.password_hash);
        if (!valid) throw new HttpError(400, 'invalid_grant', 'Invalid credentials');
        return issueToken(pool, user.id);
      }
      const token = body.refresh_token ? await oauth.findTokenByRefreshHash(pool, hashToken(body.refresh_token)) : undefined;
      if (!token) throw new HttpError(400, 'invalid_grant', 'Invalid refresh token');
      // A refresh token is single-use: the old pair dies with it.
      await oauth.deleteToken(pool, token.id);
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
