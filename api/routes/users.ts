import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type pg from 'pg';
import { users, UserRole } from '../../db/index.ts';
import type { AppContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { hashPassword } from '../auth/password.ts';
import { requireAdmin, requireUser } from '../auth/authenticate.ts';
import { presentUser } from '../presenters/user.ts';
import { User, UserCreate, UserCreated, UserList, UserRegister } from '../schemas/user.ts';
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

    app.get('/users', {
      schema: { tags: ['Users'], querystring: Pagination, response: { 200: UserList, ...errorResponses } },
    }, async (request) => {
      requireAdmin(request);
      const { total, rows } = await users.listUsers(pool, request.query.start ?? 0, request.query.count ?? 15);
      return { total, data: rows.map(presentUser) };
    });
  };
}
