// Serves live playlists and segments from disk, after the access-control check.
import { resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { AppContext } from '../context.ts';
import { isOwnerOrAdmin, resolveUser } from '../auth/authenticate.ts';
import { videos } from '../../db/index.ts';
import { HttpError } from '../errors.ts';

export const MEDIA_PREFIX = '/static/streaming-playlists/';

const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
};

function videoUuidOf(url: string): string | undefined {
  return /^\/static\/streaming-playlists\/hls\/([0-9a-f-]{36})\//.exec(url)?.[1];
}

async function authorise(context: AppContext, request: FastifyRequest): Promise<void> {
  const uuid = videoUuidOf(request.url);
  if (!uuid) throw new HttpError(404, 'not_found', 'Not found');
  const open = await context.mediaAccess.isOpenToAnyone(uuid);
  if (open === undefined) throw new HttpError(404, 'not_found', 'Not found');
  if (open) return;
  await resolveUser(context.pool, request);
  const row = await videos.findVideo(context.pool, { uuid });
  if (!request.user) throw new HttpError(401, 'unauthorized', 'This media needs authorisation');
  if (!row || !isOwnerOrAdmin(request.user, row.owner_user_id)) throw new HttpError(403, 'forbidden', 'Not allowed');
}

export async function mediaRoutes(app: FastifyInstance, context: AppContext): Promise<void> {
  const root = resolve(context.mediaRoot);
  mkdirSync(root, { recursive: true });
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request) => authorise(context, request));
    await scope.register(fastifyStatic, {
      root,
      prefix: MEDIA_PREFIX,
      decorateReply: false,
      index: false,
      list: false,
      etag: true,
      lastModified: false,
      setHeaders: (res, path) => {
        const extension = path.slice(path.lastIndexOf('.'));
        const type = CONTENT_TYPES[extension];
        if (type) res.header('Content-Type', type);
        // Playlists change every segment; segments and init files never change once written
        // (each session has its own folder, so names are never reused).
        res.header('Cache-Control', extension === '.m3u8' ? 'no-cache' : 'public, max-age=86400, immutable');
        res.header('Access-Control-Allow-Origin', '*');
      },
    });
  });
}
