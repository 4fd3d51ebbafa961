// PeerTube's POST /videos/{id}/views: 204, counted at most once per IP and video per window
// (core/views/view-counter.ts, in memory). The watch page posts it once playback starts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { videos } from '../../db/index.ts';
import type { AppContext } from '../context.ts';
import { VideoIdParam, errorResponses } from '../schemas/common.ts';
import { ViewCounter } from '../../core/views/view-counter.ts';
import { loadVisibleVideo } from '../video-loaders.ts';

/** One view per IP and video every 5 minutes; at most this many (IP, video) pairs remembered. */
const VIEW_WINDOW_MS = 5 * 60_000;
const MAX_REMEMBERED_VIEWS = 100_000;

export function viewRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const counter = new ViewCounter({ windowMs: VIEW_WINDOW_MS, maxEntries: MAX_REMEMBERED_VIEWS });
    app.post('/videos/:id/views', {
      schema: { tags: ['Video'], summary: 'Count a view (one per IP and video every few minutes)', params: VideoIdParam, response: { 204: {}, ...errorResponses } },
      config: { rateLimit: { max: 60, timeWindow: 60_000 } },
    }, async (request, reply) => {
      const video = await loadVisibleVideo(context, request, request.params.id);
      if (counter.shouldCount(request.ip, video.id)) await videos.addView(context.pool, video.id);
      return reply.code(204).send();
    });
  };
}
