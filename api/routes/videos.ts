import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { videoPasswords as videoPasswordsRepo, videos, VideoPrivacy } from '../../db/index.ts';
import type { AppContext } from '../context.ts';
import { requireUser } from '../auth/authenticate.ts';
import { videoPasswordRoutes } from './video-passwords.ts';
import { assertPasswordsFor, hashVideoPasswords, replaceVideoPasswords } from '../../core/videos/passwords.ts';
import { assertSupportedPrivacy } from '../../core/videos/privacy.ts';
import { loadOwnedVideo, loadVisibleVideo } from '../video-loaders.ts';
import { presentVideo } from '../presenters/video.ts';
import { importChaptersFromDescription } from '../../core/chapters/import.ts';
import { Video, VideoList, VideoListQuery, VideoUpdate } from '../schemas/video.ts';
import { VideoIdParam, errorResponses } from '../schemas/common.ts';

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
      assertPasswordsFor([update.privacy ?? row.privacy],
        hashes ? hashes.length : await videoPasswordsRepo.countVideoPasswords(context.pool, row.id));
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
