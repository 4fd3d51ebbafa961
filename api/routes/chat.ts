// The chat's REST side (docs/CHAT.md): a room's state and history, the chat replay of a replay
// video, room settings and the moderation log for moderators, and channel chat moderators.
// Live traffic goes over socket.io (chat/namespace.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { chat, channels, type ChannelRow } from '../../db/index.ts';
import { isChatError } from '../../chat/service.ts';
import { updateSettings } from '../../chat/moderation.ts';
import type { ChatError } from '../../chat/contracts.ts';
import { roomRefOf } from '../../chat/present.ts';
import type { AppContext } from '../context.ts';
import { HttpError, notFound } from '../errors.ts';
import { requireUser } from '../auth/authenticate.ts';
import { isOwnerOrAdmin } from '../../core/users/roles.ts';
import { VideoIdParam, Pagination, errorResponses } from '../schemas/common.ts';
import {
  ChannelModeratorList, ChannelModeratorParams, ChannelNameParam, ChatReplayList, ChatReplayQuery, ChatRoomInfo,
  ChatRoomSettingsSchema, ChatRoomSettingsUpdate, ModerationLogList,
} from '../schemas/chat.ts';
import { loadVisibleVideo } from '../video-loaders.ts';

const STATUS_OF: Partial<Record<ChatError['code'], number>> = {
  not_found: 404, forbidden: 403, unauthorized: 401, video_requires_password: 403, incorrect_video_password: 403, too_many_requests: 429,
};
const toHttp = (error: ChatError) => new HttpError(STATUS_OF[error.code] ?? 400, error.code, error.message,
  error.retryAfterSeconds ? { 'Retry-After': String(error.retryAfterSeconds) } : undefined);

export function chatRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const service = context.chat;
    const { pool } = context;
    const tags = ['Live Chat'];

    async function roomOf(request: FastifyRequest, ref: string) {
      const video = await loadVisibleVideo(context, request, ref);
      const opened = await service.roomOfVideo(video, request.user);
      if (isChatError(opened)) throw toHttp(opened);
      return opened;
    }
    async function moderatedRoomOf(request: FastifyRequest, ref: string) {
      requireUser(request);
      const opened = await roomOf(request, ref);
      if (!opened.moderator) throw new HttpError(403, 'forbidden', 'Only the chat moderators of this live can do that');
      return opened;
    }

    app.get('/videos/:id/chat', {
      schema: { tags, params: VideoIdParam, response: { 200: ChatRoomInfo, ...errorResponses } },
    }, async (request) => {
      const { video, room, moderator } = await roomOf(request, request.params.id);
      const view = service.viewOf(room, video.id);
      return { roomId: room.id, title: view.title, xmppAddress: view.xmppAddress, settings: view.settings, moderator, history: await service.history(room.id) };
    });

    app.get('/videos/:id/chat/replay', {
      schema: { tags, params: VideoIdParam, querystring: ChatReplayQuery, response: { 200: ChatReplayList, ...errorResponses } },
    }, async (request) => {
      const video = await loadVisibleVideo(context, request, request.params.id);
      return service.replay(video.id, { fromSeconds: request.query.from, toSeconds: request.query.to });
    });

    app.put('/videos/:id/chat/settings', {
      schema: { tags, params: VideoIdParam, body: ChatRoomSettingsUpdate, response: { 200: ChatRoomSettingsSchema, ...errorResponses } },
    }, async (request) => {
      const user = requireUser(request);
      const { room, moderator } = await moderatedRoomOf(request, request.params.id);
      const result = await updateSettings(service, { label: user.username, accountId: user.account_id, key: `a:${user.account_id}` },
        { room: roomRefOf(room), channelId: room.channel_id, moderator }, request.body);
      if (isChatError(result)) throw toHttp(result);
      return result;
    });

    app.get('/videos/:id/chat/moderation-log', {
      schema: { tags, params: VideoIdParam, querystring: Pagination, response: { 200: ModerationLogList, ...errorResponses } },
    }, async (request) => {
      const { room } = await moderatedRoomOf(request, request.params.id);
      const { total, rows } = await chat.listModerationLog(pool, room.id, { start: request.query.start ?? 0, count: request.query.count ?? 15 });
      return {
        total,
        data: rows.map((row) => ({ id: row.id, action: row.action, actor: row.actor, target: row.target, details: row.details, createdAt: row.created_at.toISOString() })),
      };
    });

    async function ownedChannel(request: FastifyRequest, name: string): Promise<ChannelRow> {
      const user = requireUser(request);
      const channel = await channels.findChannelByName(pool, name);
      if (!channel) throw notFound('Channel');
      if (!isOwnerOrAdmin(user, channel.owner_user_id)) throw new HttpError(403, 'forbidden', 'Only the channel owner or an admin can do that');
      return channel;
    }
    async function accountIdOf(name: string): Promise<number> {
      const accountId = await channels.findAccountIdByName(pool, name);
      if (accountId === undefined) throw notFound('Account');
      return accountId;
    }

    app.get('/video-channels/:name/chat-moderators', {
      schema: { tags, params: ChannelNameParam, response: { 200: ChannelModeratorList, ...errorResponses } },
    }, async (request) => {
      const channel = await ownedChannel(request, request.params.name);
      return { data: (await chat.listChannelModerators(pool, channel.id)).map((account) => ({ account })) };
    });

    app.put('/video-channels/:name/chat-moderators/:account', {
      schema: { tags, params: ChannelModeratorParams, response: { 204: {}, ...errorResponses } },
    }, async (request, reply) => {
      const channel = await ownedChannel(request, request.params.name);
      await chat.addChannelModerator(pool, channel.id, await accountIdOf(request.params.account));
      return reply.code(204).send();
    });

    app.delete('/video-channels/:name/chat-moderators/:account', {
      schema: { tags, params: ChannelModeratorParams, response: { 204: {}, ...errorResponses } },
    }, async (request, reply) => {
      const channel = await ownedChannel(request, request.params.name);
      await chat.removeChannelModerator(pool, channel.id, await accountIdOf(request.params.account));
      return reply.code(204).send();
    });
  };
}
