// Builds the fastify application: external plugins, authentication, routes, media and web.
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyFormbody from '@fastify/formbody';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyHelmet from '@fastify/helmet';
import fastifyCors from '@fastify/cors';
import type { AppContext } from './context.ts';
import { HttpError, httpErrorOf } from './errors.ts';
import { DomainError } from '../core/errors.ts';
import { resolveUser } from './auth/authenticate.ts';
import { oauthRoutes } from './routes/oauth.ts';
import { userRoutes } from './routes/users.ts';
import { videoRoutes } from './routes/videos.ts';
import { liveRoutes } from './routes/lives.ts';
import { serverConfigRoutes } from './routes/server-config.ts';
import { mediaRoutes } from './routes/media.ts';
import { webRoutes } from './routes/web.ts';
import { webrtcRoutes } from './routes/webrtc.ts';
import { uploadRoutes } from './routes/uploads.ts';
import { chapterRoutes } from './routes/chapters.ts';
import { commentRoutes } from './routes/comments.ts';
import { viewRoutes } from './routes/views.ts';
import { chatRoutes } from './routes/chat.ts';
import { subscriptionRoutes } from './routes/subscriptions.ts';

const API_PREFIX = '/api/v1';

/** Postgres's class 22 (data exception): 22021 a NUL byte in text, 22003 a number out of range, 22P02 bad text for a type... */
function isPostgresDataError(error: { code?: unknown }): boolean {
  return typeof error.code === 'string' && /^22[0-9A-Z]{3}$/.test(error.code) && 'severity' in error;
}

function problem(status: number, code: string, detail: string) {
  return { status, code, error: detail, detail };
}

export async function buildApp(context: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: context.config.http.bodyLimitBytes,
    trustProxy: context.config.http.trustProxy,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorateRequest('user', undefined);
  app.decorateRequest('tokenId', undefined);

  app.setErrorHandler((thrown: FastifyError | HttpError | DomainError, request, reply) => {
    const error = thrown instanceof DomainError ? httpErrorOf(thrown) : thrown;
    if (error instanceof HttpError) {
      if (error.headers) reply.headers(error.headers);
      return reply.code(error.status).send(problem(error.status, error.code, error.message));
    }
    if (error.validation) return reply.code(400).send(problem(400, 'invalid_input', error.message));
    if (isPostgresDataError(error)) {
      // A value the database cannot hold (a NUL in text, a number out of range) came from the client: its error, not ours.
      context.log.warn(`${request.method} ${request.url.split('?')[0]}: value refused by the database (${error.code}): ${error.message}`);
      return reply.code(400).send(problem(400, 'invalid_input', 'A value in the request cannot be stored'));
    }
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) context.log.error(`${request.method} ${request.url}: ${error.stack ?? error.message}`);
    const detail = status >= 500 ? 'Internal server error' : error.message;
    return reply.code(status).send(problem(status, error.code?.toLowerCase() ?? 'error', detail));
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(problem(404, 'not_found', `${request.method} ${request.url.split('?')[0]} not found`)));

  await app.register(fastifyHelmet, {
    // The player loads media from this origin and blob: URLs (MSE); inline styles in pages.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        mediaSrc: ["'self'", 'blob:'],
        workerSrc: ["'self'", 'blob:'],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        // Self-hosted instances often run on plain HTTP on a LAN; do not force https sub-requests.
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: false,
  });
  await app.register(fastifyCors, { origin: false });
  await app.register(fastifyFormbody);
  // request.ip is undefined once the client has gone (the socket no longer has a peer), and the
  // plugin's default key throws on it: a request dropped mid-way logged a 500 with a stack.
  await app.register(fastifyRateLimit, { global: false, keyGenerator: (request) => request.ip ?? 'gone' });
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Livecast API', version: '0.1.0', description: 'PeerTube-compatible REST API of a live-first broadcast server' },
      components: { securitySchemes: { OAuth2: { type: 'http', scheme: 'bearer' } } },
      security: [{ OAuth2: [] }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: `${API_PREFIX}/docs` });

  await app.register(async (api) => {
    api.addHook('onRequest', async (request) => resolveUser(context.pool, request));
    await api.register(oauthRoutes(context));
    await api.register(userRoutes(context));
    await api.register(liveRoutes(context));
    await api.register(videoRoutes(context));
    await api.register(chapterRoutes(context));
    await api.register(commentRoutes(context));
    await api.register(viewRoutes(context));
    await api.register(chatRoutes(context));
    await api.register(subscriptionRoutes(context));
    await api.register(serverConfigRoutes(context));
    await api.register(webrtcRoutes(context));
    await api.register(uploadRoutes(context, context.uploads));
    api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  }, { prefix: API_PREFIX });

  await mediaRoutes(app, context);
  await webRoutes(app);
  return app;
}
