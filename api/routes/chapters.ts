// Chapters (PeerTube: GET/PUT /videos/{id}/chapters) and storyboards (GET /videos/{id}/storyboards).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { chapters, storyboards } from '../../db/index.ts';
import type { AppContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { isOwnerOrAdmin } from '../../core/users/roles.ts';
import { ChapterList, ChapterUpdate, StoryboardList, type ChapterUpdateBody } from '../schemas/chapters.ts';
import { VideoIdParam, errorResponses } from '../schemas/common.ts';
import { storyboardUrl } from '../../core/vod/storyboard-job.ts';
import { loadOwnedVideo, loadVisibleVideo } from '../video-loaders.ts';

function validateChapters(body: ChapterUpdateBody, durationSeconds: number | undefined): ChapterUpdateBody['chapters'] {
  const seen = new Set<number>();
  const cleaned = body.chapters.map((chapter) => ({ timecode: chapter.timecode, title: chapter.title.trim() }));
  for (const chapter of cleaned) {
    if (!chapter.title) throw new HttpError(400, 'invalid_input', 'A chapter title cannot be empty');
    if (seen.has(chapter.timecode)) throw new HttpError(400, 'invalid_input', `Two chapters at ${chapter.timecode} s`);
    seen.add(chapter.timecode);
    if (durationSeconds !== undefined && chapter.timecode > durationSeconds) {
      throw new HttpError(400, 'invalid_input', `Chapter at ${chapter.timecode} s is after the end of the video (${durationSeconds} s)`);
    }
  }
  return cleaned.sort((a, b) => a.timecode - b.timecode);
}

export function chapterRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/videos/:id/chapters', {
      schema: { tags: ['Video Chapters'], params: VideoIdParam, response: { 200: ChapterList, ...errorResponses } },
    }, async (request) => {
      const video = await loadVisibleVideo(context, request, request.params.id);
      return { chapters: await chapters.listChapters(context.pool, video.id) };
    });

    app.put('/videos/:id/chapters', {
      schema: { tags: ['Video Chapters'], params: VideoIdParam, body: ChapterUpdate, response: { 204: {}, ...errorResponses } },
    }, async (request, reply) => {
      const video = await loadOwnedVideo(context, request, request.params.id);
      if (video.is_live) throw new HttpError(400, 'live_has_no_chapters', 'A live cannot have chapters (its replay can)');
      const list = validateChapters(request.body, video.duration > 0 ? video.duration : undefined);
      await chapters.replaceChapters(context.pool, video.id, list);
      return reply.code(204).send();
    });

    app.get('/videos/:id/storyboards', {
      schema: { tags: ['Video'], params: VideoIdParam, response: { 200: StoryboardList, ...errorResponses } },
    }, async (request) => {
      const video = await loadVisibleVideo(context, request, request.params.id);
      const row = await storyboards.findStoryboard(context.pool, video.id);
      const ready = row?.filename && row.total_width && row.total_height && row.sprite_width && row.sprite_height &&
        row.sprite_duration && video.hls_path && !video.is_live;
      const list = ready ? [{
        storyboardPath: storyboardUrl(video.hls_path!, row.filename!),
        totalHeight: row.total_height!, totalWidth: row.total_width!,
        spriteHeight: row.sprite_height!, spriteWidth: row.sprite_width!, spriteDuration: row.sprite_duration!,
      }] : [];
      const status = row && isOwnerOrAdmin(request.user, video.owner_user_id)
        ? { state: row.state, progress: row.progress, error: row.error } : undefined;
      return { storyboards: list, ...(status ? { status } : {}) };
    });
  };
}
