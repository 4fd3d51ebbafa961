// Serves live media: playlists, parts and recent segments of an active session from the LL-HLS
// packager's memory (blocking reloads and hinted parts included), everything else from disk,
// always behind the access-control check.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { resolveUser } from '../auth/authenticate.ts';
import { isOpenPrivacy, videoPasswordOf } from '../../core/media-access/access.ts';
import { addFileTokenToPlaylist, FILE_TOKEN_PARAM } from '../../core/media-access/playlist-tokens.ts';
import { hls } from '../../packager/index.ts';
import { HttpError } from '../errors.ts';
import { tooManyRequests } from '../../core/errors.ts';

const MEDIA_PREFIX = '/static/streaming-playlists/';

/** Files read back from disk get the same types as those the packager serves from memory. */
const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': hls.CONTENT_TYPES.playlist,
  '.m4s': hls.CONTENT_TYPES.segment,
  '.mp4': hls.CONTENT_TYPES.init,
  '.jpg': 'image/jpeg',
  '.vtt': 'text/vtt; charset=utf-8',
};
const SAFE_NAME = /^[a-z0-9._-]{1,64}$/i;
const UUID = /^[0-9a-f-]{36}$/;

interface MediaParams { uuid: string; session: string; rendition?: string; file: string }

/**
 * Every media URL of every video goes through this check (there is no static serving of the media
 * folder), so private, internal and password-protected media need no folder of their own to stay
 * protected: their URLs look like public ones but answer only to the right credentials. Accepted:
 * a video file token in `?videoFileToken=` (native HLS players, <img>), a bearer token, or the
 * video's password in the x-peertube-video-password header.
 * Returns the valid file token, if any, so that playlists can hand it on to the URIs they list.
 */
async function authorise(context: AppContext, request: FastifyRequest, uuid: string): Promise<{ open: boolean; fileToken: string | undefined }> {
  const access = context.mediaAccess;
  const video = await access.infoOf(uuid);
  if (!video) throw new HttpError(404, 'not_found', 'Not found');
  const query = request.query as Record<string, unknown>;
  const candidate = typeof query[FILE_TOKEN_PARAM] === 'string' ? query[FILE_TOKEN_PARAM] : undefined;
  const fileToken = candidate && await access.fileTokens.verify(candidate, uuid) ? candidate : undefined;
  const open = isOpenPrivacy(video.privacy);
  if (open || fileToken) return { open, fileToken };
  await resolveUser(context.pool, request);
  const denial = await access.check(video, { user: request.user, password: videoPasswordOf(request.headers), client: request.ip });
  if (!denial) return { open, fileToken };
  if (denial.code === 'too_many_requests') throw tooManyRequests(denial.message, denial.retryAfterSeconds ?? 1);
  if (candidate && (denial.status === 401 || denial.code === 'video_requires_password')) {
    throw new HttpError(403, 'invalid_video_file_token', 'The video file token is invalid or has expired');
  }
  throw new HttpError(denial.status, denial.code, denial.message);
}

function cacheControl(file: string, open: boolean): string {
  // Playlists change all the time; parts, segments and init files never change once written
  // (each session has its own folder, and names are never reused within it). Protected media must
  // not be kept by shared caches, which would hand them to anyone.
  // Storyboards and thumbnails can be regenerated under the same name: revalidate them too.
  if (file.endsWith('.m3u8') || /^(storyboard|thumbnail)\./.test(file)) return open ? 'no-cache' : 'private, no-cache';
  return open ? 'public, max-age=86400, immutable' : 'private, max-age=86400, immutable';
}

function contentTypeOf(file: string): string {
  return CONTENT_TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream';
}

async function sendFromDisk(reply: FastifyReply, root: string, params: MediaParams, fileToken: string | undefined): Promise<FastifyReply> {
  const path = join(root, 'hls', params.uuid, params.session, ...(params.rendition ? [params.rendition] : []), params.file);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new HttpError(404, 'not_found', 'Not found');
  if (fileToken && params.file.endsWith('.m3u8')) {
    const playlist = addFileTokenToPlaylist(await readFile(path, 'utf8'), fileToken);
    return reply.header('Content-Type', contentTypeOf(params.file)).send(playlist);
  }
  return reply.header('Content-Type', contentTypeOf(params.file)).header('Content-Length', info.size).send(createReadStream(path));
}

function abortOnClose(request: FastifyRequest): AbortSignal {
  const controller = new AbortController();
  request.raw.once('close', () => controller.abort());
  return controller.signal;
}

async function serve(context: AppContext, request: FastifyRequest<{ Params: MediaParams }>, reply: FastifyReply) {
  const params = request.params;
  if (!UUID.test(params.uuid) || !/^(?:\d+|vod-\d+)$/.test(params.session) || !SAFE_NAME.test(params.file) ||
      (params.rendition !== undefined && !/^\d+$/.test(params.rendition))) {
    throw new HttpError(404, 'not_found', 'Not found');
  }
  const { open, fileToken } = await authorise(context, request, params.uuid);
  const tokenized = (playlist: string) => fileToken ? addFileTokenToPlaylist(playlist, fileToken) : playlist;
  reply.header('Cache-Control', cacheControl(params.file, open)).header('Access-Control-Allow-Origin', '*');
  const output = context.lives.outputOf(params.uuid, Number(params.session));
  if (!output) return sendFromDisk(reply, context.mediaRoot, params, fileToken);
  if (params.rendition === undefined) {
    const master = params.file === hls.MASTER_PLAYLIST_NAME ? output.masterPlaylist() : undefined;
    if (!master) throw new HttpError(404, 'not_found', 'Not found');
    return reply.header('Content-Type', contentTypeOf(params.file)).send(tokenized(master));
  }
  const index = Number(params.rendition);
  if (!output.indexes.includes(index)) throw new HttpError(404, 'not_found', 'Not found');
  const answer = await output.answer(index, params.file, {
    query: request.query as Record<string, unknown>,
    signal: abortOnClose(request),
  });
  if (answer.kind === 'on-disk') return sendFromDisk(reply, context.mediaRoot, params, fileToken);
  if (answer.kind === 'error') throw new HttpError(answer.status, 'media_unavailable', answer.message);
  const body = typeof answer.body === 'string' ? tokenized(answer.body) : Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength);
  return reply.header('Content-Type', answer.contentType).send(body);
}

export async function mediaRoutes(app: FastifyInstance, context: AppContext): Promise<void> {
  const root = resolve(context.mediaRoot);
  const handler = (request: FastifyRequest, reply: FastifyReply) =>
    serve({ ...context, mediaRoot: root }, request as FastifyRequest<{ Params: MediaParams }>, reply);
  app.get(`${MEDIA_PREFIX}hls/:uuid/:session/:file`, { schema: { hide: true } }, handler);
  app.get(`${MEDIA_PREFIX}hls/:uuid/:session/:rendition/:file`, { schema: { hide: true } }, handler);
}
