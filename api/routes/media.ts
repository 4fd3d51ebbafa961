// Serves live media: playlists, parts and recent segments of an active session from the LL-HLS
// packager's memory (blocking reloads and hinted parts included), everything else from disk,
// always behind the access-control check.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { isOwnerOrAdmin, resolveUser } from '../auth/authenticate.ts';
import { videos } from '../../db/index.ts';
import { hls } from '../../packager/index.ts';
import { HttpError } from '../errors.ts';

export const MEDIA_PREFIX = '/static/streaming-playlists/';

/** Files read back from disk get the same types as those the packager serves from memory. */
const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': hls.CONTENT_TYPES.playlist,
  '.m4s': hls.CONTENT_TYPES.segment,
  '.mp4': hls.CONTENT_TYPES.init,
  '.jpg': 'image/jpeg',
};
const SAFE_NAME = /^[a-z0-9._-]{1,64}$/i;
const UUID = /^[0-9a-f-]{36}$/;

interface MediaParams { uuid: string; session: string; rendition?: string; file: string }

async function authorise(context: AppContext, request: FastifyRequest, uuid: string): Promise<void> {
  const open = await context.mediaAccess.isOpenToAnyone(uuid);
  if (open === undefined) throw new HttpError(404, 'not_found', 'Not found');
  if (open) return;
  await resolveUser(context.pool, request);
  if (!request.user) throw new HttpError(401, 'unauthorized', 'This media needs authorisation');
  const row = await videos.findVideo(context.pool, { uuid });
  if (!row || !isOwnerOrAdmin(request.user, row.owner_user_id)) throw new HttpError(403, 'forbidden', 'Not allowed');
}

function cacheControl(file: string): string {
  // Playlists change all the time; parts, segments and init files never change once written
  // (each session has its own folder, and names are never reused within it).
  return file.endsWith('.m3u8') ? 'no-cache' : 'public, max-age=86400, immutable';
}

function contentTypeOf(file: string): string {
  return CONTENT_TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream';
}

async function sendFromDisk(reply: FastifyReply, root: string, params: MediaParams): Promise<FastifyReply> {
  const path = join(root, 'hls', params.uuid, params.session, ...(params.rendition ? [params.rendition] : []), params.file);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new HttpError(404, 'not_found', 'Not found');
  return reply.header('Content-Type', contentTypeOf(params.file)).header('Content-Length', info.size).send(createReadStream(path));
}

function abortOnClose(request: FastifyRequest): AbortSignal {
  const controller = new AbortController();
  request.raw.once('close', () => controller.abort());
  return controller.signal;
}

async function serve(context: AppContext, request: FastifyRequest<{ Params: MediaParams }>, reply: FastifyReply) {
  const params = request.params;
  if (!UUID.test(params.uuid) || !/^\d+$/.test(params.session) || !SAFE_NAME.test(params.file) ||
      (params.rendition !== undefined && !/^\d+$/.test(params.rendition))) {
    throw new HttpError(404, 'not_found', 'Not found');
  }
  await authorise(context, request, params.uuid);
  reply.header('Cache-Control', cacheControl(params.file)).header('Access-Control-Allow-Origin', '*');
  const output = context.lives.outputOf(params.uuid, Number(params.session));
  if (!output) return sendFromDisk(reply, context.mediaRoot, params);
  if (params.rendition === undefined) {
    const master = params.file === hls.MASTER_PLAYLIST_NAME ? output.masterPlaylist() : undefined;
    if (!master) throw new HttpError(404, 'not_found', 'Not found');
    return reply.header('Content-Type', contentTypeOf(params.file)).send(master);
  }
  const index = Number(params.rendition);
  if (!output.indexes.includes(index)) throw new HttpError(404, 'not_found', 'Not found');
  const answer = await output.answer(index, params.file, {
    query: request.query as Record<string, unknown>,
    signal: abortOnClose(request),
  });
  if (answer.kind === 'on-disk') return sendFromDisk(reply, context.mediaRoot, params);
  if (answer.kind === 'error') throw new HttpError(answer.status, 'media_unavailable', answer.message);
  const body = typeof answer.body === 'string' ? answer.body : Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength);
  return reply.header('Content-Type', answer.contentType).send(body);
}

export async function mediaRoutes(app: FastifyInstance, context: AppContext): Promise<void> {
  const root = resolve(context.mediaRoot);
  const handler = (request: FastifyRequest, reply: FastifyReply) =>
    serve({ ...context, mediaRoot: root }, request as FastifyRequest<{ Params: MediaParams }>, reply);
  app.get(`${MEDIA_PREFIX}hls/:uuid/:session/:file`, { schema: { hide: true } }, handler);
  app.get(`${MEDIA_PREFIX}hls/:uuid/:session/:rendition/:file`, { schema: { hide: true } }, handler);
}
