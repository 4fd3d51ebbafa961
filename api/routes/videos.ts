import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { parseVideoRef, videoPasswords as videoPasswordsRepo, videos, VideoPrivacy, type VideoRow } from '../../db/index.ts';
import type { AppContext } from '../context.ts';
import { HttpError, notFound, tooManyRequests } from '../errors.ts';
import { isOwnerOrAdmin, requireUser } from '../auth/authenticate.ts';
import { accessInfoOf, videoPasswordOf } from '../../core/media-access/access.ts';
import { hashVideoPasswords, missingPasswords, replaceVideoPasswords, videoPasswordRoutes } from './video-passwords.ts';
import { presentVideo } from '../presenters/video.ts';
import { importChaptersFromDescription } from '../../core/chapters/import.ts';
import { Video, VideoList, VideoListQuery, VideoUpdate } from '../schemas/video.ts';
import { VideoIdParam, errorResponses } from '../schemas/common.ts';

/** Every PeerTube privacy can be chosen: core/media-access/access.ts enforces private, internal and password. */
export const SUPPORTED_PRIVACIES: number[] = Object.values(VideoPrivacy);

export function assertSupportedPrivacy(privacy: number | undefined): void {
  if (privacy !== undefined && !SUPPORTED_PRIVACIES.includes(privacy)) {
    throw new HttpError(400, 'unsupported_privacy', 'Privacy is 1 (public), 2 (unlisted), 3 (private), 4 (internal) or 5 (password protected)');
  }
}

/**
 * Loads a video the requester may see (core/media-access/access.ts). A private or internal video answers 404
 * without telling whether it exists, and so does an unlisted one asked for by numeric id (as PeerTube); a password-protected one answers 403 with PeerTube's codes
 * (video_requires_password, incorrect_video_password) so that clients know to ask for the password.
 */
export async function loadVisibleVideo(context: AppContext, request: FastifyRequest, ref: string): Promise<VideoRow> {
  const parsed = parseVideoRef(ref);
  const row = parsed ? await videos.findVideo(context.pool, parsed) : undefined;
  if (!row) throw notFound('Video');
  const denial = await context.mediaAccess.check(accessInfoOf(row), {
    user: request.user, password: videoPasswordOf(request.headers), client: request.ip, byNumericId: parsed !== undefined && 'id' in parsed,
  });
  if (denial?.code === 'too_many_requests') throw tooManyRequests(denial.message, denial.retryAfterSeconds ?? 1);
  if (denial?.code === 'video_requires_password' || denial?.code === 'incorrect_video_password') {
    throw new HttpError(denial.status, denial.code, denial.message);
  }
  // Private, internal and unlisted-by-id videos: not found, without telling whether they exist.
  if (denial) throw notFound('Video');
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
    await app.register(videoPasswordRoutes(context));
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
      const { videoPasswords: passwords, ...update } = request.body;
      // PeerTube's videoPasswords: replaces the passwords; privacy 5 needs at least one, given or kept.
      const hashes = passwords ? await hashVideoPasswords(passwords) : undefined;
      if ((update.privacy ?? row.privacy) === VideoPrivacy.PASSWORD_PROTECTED &&
          (hashes ? hashes.length === 0 : await videoPasswordsRepo.countVideoPasswords(context.pool, row.id) === 0)) {
        throw missingPasswords();
      }
      if (hashes) await replaceVideoPasswords(context.pool, row.id, hashes);
      await videos.updateVideo(context.pool, row.id, update);
      // A description with timestamp lines gives chapters to a video that has none (not to a live).
      if (request.body.description !== undefined && !row.is_live) {
        await importChaptersFromDescription(context.pool, row.id, request.body.description);
      }
      context.mediaAccess.forget(row.uuid);
      return reply.code(204).send();
    });
  };
}
