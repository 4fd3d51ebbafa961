// Serves the browser front end (plain ES modules, no build step) and its two vendored libraries.
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

const WEB_ROOT = join(import.meta.dirname, '..', '..', 'web');
const require = createRequire(import.meta.url);

export async function webRoutes(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, { root: WEB_ROOT, prefix: '/', index: ['index.html'], wildcard: false });
  const hlsDist = join(require.resolve('hls.js/package.json'), '..', 'dist');
  await app.register(fastifyStatic, { root: hlsDist, prefix: '/vendor/hls/', decorateReply: false, allowedPath: (path) => path === '/hls.min.js' });
  const tusDist = join(require.resolve('tus-js-client/package.json'), '..', 'dist');
  await app.register(fastifyStatic, { root: tusDist, prefix: '/vendor/tus/', decorateReply: false, allowedPath: (path) => path === '/tus.min.js' });
  // Pages addressed by a path parameter all load the same document; the script reads the URL.
  app.get('/w/:id', (_request, reply) => reply.sendFile('watch.html'));
  app.get('/studio', (_request, reply) => reply.sendFile('studio.html'));
  app.get('/upload', (_request, reply) => reply.sendFile('upload.html'));
}
