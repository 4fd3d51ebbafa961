// Password-protected videos (PeerTube's privacy 5): the passwords API and video file tokens.
//   GET    /videos/{id}/passwords                 owner/admin: { total, data: [{ id, videoId, createdAt, updatedAt }] }
//   PUT    /videos/{id}/passwords                 { passwords: string[] } replaces them all (204)
//   POST   /videos/{id}/passwords                 { password } adds one (not in PeerTube; 200 with the new entry)
//   DELETE /videos/{id}/passwords/{passwordId}    204; never the last one of a password-protected video
//   POST   /videos/{id}/token                     anyone who may see the video: { files: { token, expires } }
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { videoPasswords, VideoPrivacy, type VideoRow } from '../../db/index.ts';
import type { AppContext } from '../context.ts';
import { HttpError, notFound } from '../errors.ts';
import { assertPasswordsFor, hashVideoPasswords, MAX_VIDEO_PASSWORDS, replaceVideoPasswords, VIDEO_PASSWORD_LENGTH } from '../../core/videos/passwords.ts';
import { errorResponses, Pagination, VideoIdParam } from '../schemas/common.ts';
import { loadOwnedVideo, loadVisibleVideo } from '../video-loaders.ts';

const VideoPasswordValue = Type.String({ minLength: VIDEO_PASSWORD_LENGTH.min, maxLength: VIDEO_PASSWORD_LENGTH.max });
const VideoPasswordList = Type.Array(VideoPasswordValue, { maxItems: MAX_VIDEO_PASSWORDS, description: 'Passwords of a password-protected video (privacy 5)' });

// PeerTube returns each password in clear to the owner (`password`). Ours are scrypt hashes at rest,
// so they cannot be given back: an entry is only its id and dates (enough to delete it).
const VideoPasswordJson = Type.Object({ id: Type.Integer(), videoId: Type.Integer(), createdAt: Type.String(), updatedAt: Type.String() });
const VideoPasswordPage = Type.Object({ total: Type.Integer(), data: Type.Array(VideoPasswordJson) });
const VideoToken = Type.Object({ files: Type.Object({ token: Type.String(), expires: Type.String() }) });

function present(row: videoPasswords.VideoPasswordRow) {
  return { id: row.id, videoId: row.video_id, createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString() };
}

export function videoPasswordRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  const { pool } = context;
  const changed = (video: VideoRow) => context.mediaAccess.forget(video.uuid);
  return async (app) => {
    app.get('/videos/:id/passwords', {
      schema: { tags: ['Video Passwords'], params: VideoIdParam, querystring: Pagination, response: { 200: VideoPasswordPage, ...errorResponses } },
    }, async (request) => {
      const video = await loadOwnedVideo(context, request, request.params.id);
      const rows = await videoPasswords.listVideoPasswords(pool, video.id);
      const start = request.query.start ?? 0;
      return { total: rows.length, data: rows.slice(start, start + (request.query.count ?? 15)).map(present) };
    });

    app.put('/videos/:id/passwords', {
      schema: {
        tags: ['Video Passwords'], params: VideoIdParam,
        body: Type.Object({ passwords: VideoPasswordList }, { additionalProperties: false }),
        response: { 204: {}, ...errorResponses },
      },
    }, async (request, reply) => {
      const video = await loadOwnedVideo(context, request, request.params.id);
      assertPasswordsFor([video.privacy], request.body.passwords.length);
      await replaceVideoPasswords(pool, video.id, await hashVideoPasswords(request.body.passwords));
      changed(video);
      return reply.code(204).send();
    });

    app.post('/videos/:id/passwords', {
      schema: {
        tags: ['Video Passwords'], params: VideoIdParam,
        body: Type.Object({ password: VideoPasswordValue }, { additionalProperties: false }),
        response: { 200: VideoPasswordJson, ...errorResponses },
      },
    }, async (request) => {
      const video = await loadOwnedVideo(context, request, request.params.id);
      if (await videoPasswords.countVideoPasswords(pool, video.id) >= MAX_VIDEO_PASSWORDS) {
        throw new HttpError(400, 'invalid_input', `A video has at most ${MAX_VIDEO_PASSWORDS} passwords`);
      }
      const [hash] = await hashVideoPasswords([request.body.password]);
      const row = await videoPasswords.insertVideoPassword(pool, video.id, hash);
      changed(video);
      return present(row);
    });

    app.delete('/videos/:id/passwords/:passwordId', {
      schema: {
        tags: ['Video Passwords'],
        params: Type.Object({ id: VideoIdParam.properties.id, passwordId: Type.Integer({ minimum: 1 }) }),
        response: { 204: {}, ...errorResponses },
      },
    }, async (request, reply) => {
      const video = await loadOwnedVideo(context, request, request.params.id);
      const rows = await videoPasswords.listVideoPasswords(pool, video.id);
      if (!rows.some((row) => row.id === request.params.passwordId)) throw notFound('Video password');
      if (video.privacy === VideoPrivacy.PASSWORD_PROTECTED && rows.length <= 1) {
        throw new HttpError(400, 'invalid_input', 'Cannot delete the last password of a password-protected video');
      }
      if (!await videoPasswords.deleteVideoPassword(pool, video.id, request.params.passwordId)) throw notFound('Video password');
      changed(video);
      return reply.code(204).send();
    });

    // Anyone who may see the video (bearer, or its password in x-peertube-video-password) gets a
    // short-lived token for its media URLs (`?videoFileToken=`), which playlists hand on to every URI.
    app.post('/videos/:id/token', {
      schema: { tags: ['Video'], params: VideoIdParam, response: { 200: VideoToken, ...errorResponses } },
    }, async (request) => {
      const video = await loadVisibleVideo(context, request, request.params.id);
      const issued = await context.mediaAccess.fileTokens.issue(video.uuid);
      return { files: { token: issued.token, expires: issued.expires.toISOString() } };
    });
  };
}
