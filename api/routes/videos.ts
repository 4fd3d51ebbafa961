import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { parseVideoRef, videos, VideoPrivacy, type VideoRow } from '../../db/index.ts';
import type { AppContext } from '../context.ts';
import { HttpError, notFound } from '../errors.ts';
import { isOwnerOrAdmin, requireUser } from '../auth/authenticate.ts';
import { presentVideo } from '../presenters/video.ts';
import { Video, VideoList, VideoListQuery, VideoUpdate } from '../schemas/video.ts';
import { VideoIdParam, errorResponses } from '../schemas/common.ts';

/** Privacies that can be chosen today; private/internal/password media arrive with their access control. */
export const SUPPORTED_PRIVACIES: number[] = [VideoPrivacy.PUBLIC, VideoPrivacy.UNLISTED];

export function assertSupportedPrivacy(privacy: number | undefined): void {
  if (privacy !== undefined && !SUPPORTED_PRIVACIES.includes(privacy)) {
    throw new HttpError(400, 'unsupported_privacy', 'Only public (1) and unlisted (2) are available for now');
  }
}

/** Loads a video the requester may see, or answers 404 without telling whether it exists. */
export async function loadVisibleVideo(context: AppContext, request: FastifyRequest, ref: string): Promise<VideoRow> {
  const parsed = parseVideoRef(ref);
  const row = parsed ? await videos.findVideo(context.pool, parsed) : undefined;
  if (!row) throw notFound('Video');
  const open = row.privacy === VideoPrivacy.PUBLIC || row.privacy === VideoPrivacy.UNLISTED;
  if (!open && !isOwnerOrAdmin(request.user, row.owner_user_id)) throw notFound('Video');
  return row;
}

export async function loadOwnedVideo(context: AppContext, request: FastifyRequest, ref: string): Promise<VideoRow> {
  if (!request.user) throw new HttpError(401, 'unauthorized', 'Authentication required');
  const row = await loadVisibleVideo(context, request, ref);
  if (!isOwnerOrAdmin(request.user, row.owner_user_id)) throw new HttpError(403, 'forbidden', 'You do not own this video');
  return row;
}

type VideoListQueryValue = Static<typeof VideoListQuery>;

/** One listing for the public catalogue and for "my videos": they differ only in scope. */
async function listVideosFor(context: AppContext, query: VideoListQueryValue, scope: { privacies: number[]; ownerUserId?: number }) {
  const { total, rows } = await videos.listVideos(context.pool, {
    start: query.start ?? 0,
    count: query.count ?? 15,
    isLive: query.isLive,
    states: query.state !== undefined ? [query.state] : undefined,
    sort: query.sort ?? '-publishedAt',
    ...scope,
  });
  return { total, data: rows.map((row) => presentVideo(context, row)) };
}

export function videoRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/videos', {
      schema: { tags: ['Video'], querystring: VideoListQuery, response: { 200: VideoList } },
    }, async (request) => listVideosFor(context, request.query, { privacies: [VideoPrivacy.PUBLIC] }));

    // PeerTube's "my videos": every privacy, only the caller's own channels.
    app.get('/users/me/videos', {
      schema: { tags: ['My User'], querystring: VideoListQuery, response: { 200: VideoList, ...errorResponses } },
    }, async (request) => listVideosFor(context, request.query, {
      privacies: Object.values(VideoPrivacy), ownerUserId: requireUser(request).id,
    }));

    app.get('/videos/:id', {
      schema: { tags: ['Video'], params: VideoIdParam, response: { 200: Video, ...errorResponses } },
    }, async (request) => presentVideo(context, await loadVisibleVideo(context, request, request.params.id)));

    app.put('/videos/:id', {
      schema: { tags: ['Video'], params: VideoIdParam, body: VideoUpdate, response: { 204: {}, ...errorResponses } },
    }, async (request, reply) => {
      const row = await loadOwnedVideo(context, request, request.params.id);
      assertSupportedPrivacy(request.body.privacy);
      await videos.updateVideo(context.pool, row.id, request.body);
      context.mediaAccess.forget(row.uuid);
      return reply.code(204).send();
    });
  };
}
