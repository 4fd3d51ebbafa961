import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type pg from 'pg';
import { users, UserRole } from '../../db/index.ts';
import type { AppContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { hashPassword, verifyPassword } from '../../core/auth/password.ts';
import { requireAdmin, requireUser } from '../auth/authenticate.ts';
import { presentUser } from '../presenters/user.ts';
import Type from 'typebox';
import { Password, User, UserCreate, UserCreated, UserList, UserRegister } from '../schemas/user.ts';
import { Pagination, errorResponses } from '../schemas/common.ts';

async function createUser(pool: pg.Pool, input: { username: string; password: string; email: string; role: number }) {
  if (await users.findUserByUsername(pool, input.username)) {
    throw new HttpError(409, 'conflict', 'This username is already taken');
  }
  try {
    return await users.createUserWithChannel(pool, {
      username: input.username, email: input.email, passwordHash: await hashPassword(input.password), role: input.role,
    });
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new HttpError(409, 'conflict', 'Username or email already in use');
    throw error;
  }
}

export function userRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  const { pool, config } = context;
  return async (app) => {
    app.post('/users', {
      schema: { tags: ['Users'], body: UserCreate, response: { 200: UserCreated, ...errorResponses } },
    }, async (request) => {
      requireAdmin(request);
      const user = await createUser(pool, { ...request.body, role: request.body.role ?? UserRole.USER });
      return { user: { id: user.id, account: { id: user.account_id } } };
    });

    app.post('/users/register', {
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: { tags: ['Users'], body: UserRegister, response: { 204: {}, ...errorResponses } },
    }, async (request, reply) => {
      if (!config.signup.enabled) throw new HttpError(403, 'signup_disabled', 'Registration is closed on this instance');
      await createUser(pool, { ...request.body, role: UserRole.USER });
      return reply.code(204).send();
    });

    app.get('/users/me', {
      schema: { tags: ['Users'], response: { 200: User, ...errorResponses } },
    }, async (request) => presentUser(requireUser(request)));

    // PeerTube's "update my account": here the password (the first admin must change the printed one).
    app.put('/users/me', {
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['Users'],
        body: Type.Object({ currentPassword: Type.String({ maxLength: 255 }), password: Password }, { additionalProperties: false }),
        response: { 204: {}, ...errorResponses },
      },
    }, async (request, reply) => {
      const user = requireUser(request);
      if (!await verifyPassword(request.body.currentPassword, user.password_hash)) {
        throw new HttpError(401, 'invalid_current_password', 'The current password is wrong');
      }
      await users.changePassword(pool, user.id, await hashPassword(request.body.password), request.tokenId);
      return reply.code(204).send();
    });

    app.get('/users', {
      schema: { tags: ['Users'], querystring: Pagination, response: { 200: UserList, ...errorResponses } },
    }, async (request) => {
      requireAdmin(request);
      const { total, rows } = await users.listUsers(pool, request.query.start ?? 0, request.query.count ?? 15);
      return { total, data: rows.map(presentUser) };
    });
  };
}
