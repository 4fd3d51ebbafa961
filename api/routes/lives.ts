import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { type LiveRow, lives, liveSessions, toShortUuid, videoPasswords, videos, VideoPrivacy, VideoState, LiveLatencyMode, withTransaction } from '../../db/index.ts';
import type { AppContext } from '../context.ts';
import { HttpError, notFound } from '../errors.ts';
import { requireUser } from '../auth/authenticate.ts';
import { isOwnerOrAdmin } from '../../core/users/roles.ts';
import { LiveCreate, LiveCreated, LiveSessionList, LiveUpdate, LiveVideo, StreamKeyRenewed } from '../schemas/live.ts';
import { VideoIdParam, errorResponses } from '../schemas/common.ts';
import { loadOwnedVideo, loadVisibleVideo } from '../video-loaders.ts';
import { assertSupportedPrivacy } from '../../core/videos/privacy.ts';
import { assertPasswordsFor, hashVideoPasswords } from '../../core/videos/passwords.ts';
import { assertCanPublishOn } from '../../core/videos/channels.ts';

/** The host streamers should put in OBS: configured, else the public URL's, else the one they reached us on. */
function publicIngestHost(context: AppContext, request: FastifyRequest): string {
  if (context.config.rtmp.publicHost) return context.config.rtmp.publicHost;
  if (context.config.instance.publicUrl) return new URL(context.config.instance.publicUrl).hostname;
  return request.hostname.replace(/:\d+$/, '');
}

async function loadLiveOf(context: AppContext, videoId: number): Promise<LiveRow> {
  const live = await lives.findLiveByVideoId(context.pool, videoId);
  if (!live) throw notFound('Live');
  return live;
}

/** The base URL of this instance as streamers reach it: configured, else the one they used. */
function publicHttpBase(context: AppContext, request: FastifyRequest): string {
  if (context.config.instance.publicUrl) return context.config.instance.publicUrl.replace(/\/$/, '');
  return `${request.protocol}://${request.host}`;
}

export function liveRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  const { pool } = context;
  return async (app) => {
    app.post('/videos/live', {
      schema: { tags: ['Live Videos'], body: LiveCreate, response: { 200: LiveCreated, ...errorResponses } },
    }, async (request) => {
      const user = requireUser(request);
      const body = request.body;
      assertSupportedPrivacy(body.privacy);
      await assertCanPublishOn(pool, user, body.channelId);
      const privacy = body.privacy ?? VideoPrivacy.PUBLIC;
      const saveReplay = body.saveReplay ?? false;
      // The live's passwords also guard its replay (the same video, or copied to a permanent live's replays).
      const passwordHashes = await hashVideoPasswords(body.videoPasswords ?? []);
      assertPasswordsFor([privacy, saveReplay ? body.replaySettings?.privacy : undefined], passwordHashes.length);
      const uuid = randomUUID();
      const videoId = await withTransaction(pool, async (client) => {
        const videoId = await videos.insertVideo(client, {
          uuid, channelId: body.channelId, name: body.name, description: body.description ?? '',
          privacy, state: VideoState.WAITING_FOR_LIVE, isLive: true,
        });
        const { hash, sealed } = context.lives.streamKeys.generate();
        await lives.insertLive(client, videoId, { hash, sealed }, {
          saveReplay,
          replayPrivacy: saveReplay ? body.replaySettings?.privacy ?? privacy : null,
          permanentLive: body.permanentLive ?? false,
          latencyMode: body.latencyMode ?? LiveLatencyMode.DEFAULT,
          chatRoom: channelChatRoom(body.chatRoom, body.permanentLive ?? false),
        });
        await videoPasswords.replaceVideoPasswords(client, videoId, passwordHashes);
        return videoId;
      }).catch((error: unknown) => {
        throw (error as { code?: string }).code === '23503' ? notFound('Channel') : error;
      });
      return { video: { id: videoId, uuid, shortUUID: toShortUuid(uuid) } };
    });

    app.get('/videos/live/:id', {
      schema: { tags: ['Live Videos'], params: VideoIdParam, response: { 200: LiveVideo, ...errorResponses } },
    }, async (request) => {
      const video = await loadVisibleVideo(context, request, request.params.id);
      const live = await loadLiveOf(context, video.id);
      const settings = {
        saveReplay: live.save_replay,
        replaySettings: live.save_replay && live.replay_privacy ? { privacy: live.replay_privacy } : null,
        permanentLive: live.permanent_live,
        latencyMode: live.latency_mode,
        chatRoom: live.chat_room,
      };
      // The stream key is a publishing credential: only its owner and admins ever see it.
      if (!isOwnerOrAdmin(request.user, video.owner_user_id) || !live.stream_key_sealed) return settings;
      const streamKey = context.lives.streamKeys.open(live.stream_key_sealed);
      const host = publicIngestHost(context, request);
      return {
        ...settings,
        rtmpUrl: `rtmp://${host}:${context.ingest.rtmpPort}/live`,
        rtmpsUrl: context.ingest.rtmpsPort ? `rtmps://${host}:${context.ingest.rtmpsPort}/live` : null,
        // OBS takes the key inside the SRT URL: the whole URL is as secret as the key.
        srtUrl: context.ingest.srtPort ? `srt://${host}:${context.ingest.srtPort}?streamid=${streamKey}` : null,
        // WHIP (OBS 30+): this URL with the stream key as the bearer token.
        whipUrl: context.webrtc ? `${publicHttpBase(context, request)}/api/v1/whip` : null,
        streamKey,
      };
    });

    // A leaked key is replaced: the old one is refused from now on. A publisher already on air with
    // it is not cut (the admission was checked when it connected), but cannot reconnect with it.
    app.post('/videos/live/:id/stream-key', {
      schema: {
        tags: ['Live Videos'],
        summary: 'Regenerate the stream key of a live (owner and admins)',
        params: VideoIdParam,
        response: { 200: StreamKeyRenewed, ...errorResponses },
      },
    }, async (request) => {
      const video = await loadOwnedVideo(context, request, request.params.id);
      const live = await loadLiveOf(context, video.id);
      const { streamKey, hash, sealed } = context.lives.streamKeys.generate();
      await lives.replaceStreamKey(pool, live.id, { hash, sealed });
      return { streamKey };
    });

    app.put('/videos/live/:id', {
      schema: { tags: ['Live Videos'], params: VideoIdParam, body: LiveUpdate, response: { 204: {}, ...errorResponses } },
    }, async (request, reply) => {
      const video = await loadOwnedVideo(context, request, request.params.id);
      const live = await loadLiveOf(context, video.id);
      const body = request.body;
      const saveReplay = body.saveReplay ?? live.save_replay;
      const replayPrivacy = !saveReplay ? null
        : body.replaySettings?.privacy ?? live.replay_privacy ?? video.privacy;
      if (replayPrivacy === VideoPrivacy.PASSWORD_PROTECTED) assertPasswordsFor([replayPrivacy], await videoPasswords.countVideoPasswords(pool, video.id));
      await lives.updateLive(pool, live.id, {
        saveReplay, replayPrivacy, permanentLive: body.permanentLive, latencyMode: body.latencyMode,
        chatRoom: body.chatRoom === undefined && body.permanentLive === undefined ? undefined
          : channelChatRoom(body.chatRoom ?? live.chat_room, body.permanentLive ?? live.permanent_live),
      });
      // Making an ended live permanent lets it take a new session.
      if (body.permanentLive === true && video.state === VideoState.LIVE_ENDED) {
        await videos.setVideoState(pool, video.id, VideoState.WAITING_FOR_LIVE);
      }
      return reply.code(204).send();
    });

    app.get('/videos/live/:id/sessions', {
      schema: { tags: ['Live Videos'], params: VideoIdParam, response: { 200: LiveSessionList, ...errorResponses } },
    }, async (request) => {
      const video = await loadOwnedVideo(context, request, request.params.id);
      const live = await loadLiveOf(context, video.id);
      const rows = await liveSessions.listLiveSessions(pool, live.id);
      const replays = new Map<number, { id: number; uuid: string; shortUUID: string }>();
      for (const row of rows) {
        const replay = row.replay_video_id ? await videos.findVideo(pool, { id: row.replay_video_id }) : undefined;
        if (replay) replays.set(row.id, { id: replay.id, uuid: replay.uuid, shortUUID: toShortUuid(replay.uuid) });
      }
      return {
        total: rows.length,
        data: rows.map((row) => ({
          id: row.id,
          startDate: row.started_at.toISOString(),
          endDate: row.ended_at?.toISOString() ?? null,
          error: row.error,
          encoder: row.encoder,
          protocol: row.protocol,
          renditions: row.renditions,
          replayVideo: replays.get(row.id) ?? null,
        })),
      };
    });
  };
}

/** A channel-wide chat room is for permanent lives, whose sessions follow one another on one channel. */
function channelChatRoom(requested: 'video' | 'channel' | undefined, permanent: boolean): 'video' | 'channel' {
  if (requested === 'channel' && !permanent) {
    throw new HttpError(400, 'invalid_input', 'chatRoom "channel" is only for permanent lives (permanentLive: true)');
  }
  return requested ?? 'video';
}
