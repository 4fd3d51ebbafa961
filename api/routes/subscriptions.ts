// PeerTube's user subscriptions (a user follows channels): /users/me/subscriptions. Local channels
// only until federation lands; followers-only chat rooms read them.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { channels, subscriptions } from '../../db/index.ts';
import type { AppContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { requireUser } from '../auth/authenticate.ts';
import { errorResponses } from '../schemas/common.ts';
import { SubscriptionCreate, SubscriptionList, SubscriptionParams } from '../schemas/chat.ts';

/** `name` or `name@host`; a host other than ours is refused for now (no federation yet). */
function localChannelName(uri: string, ourHost: string): string | undefined {
  const [name, host] = uri.split('@');
  return host === undefined || host === ourHost ? name : undefined;
}

export function subscriptionRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { pool } = context;
    const tags = ['My Subscriptions'];
    const ourHost = () => (context.config.instance.publicUrl ? new URL(context.config.instance.publicUrl).host : '');

    async function channelOf(uri: string) {
      const name = localChannelName(uri, ourHost());
      const channel = name ? await channels.findChannelByName(pool, name) : undefined;
      if (!channel) throw notFound('Channel');
      return channel;
    }

    app.get('/users/me/subscriptions', {
      schema: { tags, response: { 200: SubscriptionList, ...errorResponses } },
    }, async (request) => {
      const user = requireUser(request);
      const rows = await subscriptions.listSubscriptions(pool, user.account_id);
      return {
        total: rows.length,
        data: rows.map((row) => ({ id: row.channel_id, name: row.channel_name, displayName: row.channel_display_name, createdAt: row.created_at.toISOString() })),
      };
    });

    app.post('/users/me/subscriptions', {
      schema: { tags, body: SubscriptionCreate, response: { 204: {}, ...errorResponses } },
    }, async (request, reply) => {
      const user = requireUser(request);
      await subscriptions.subscribe(pool, user.account_id, (await channelOf(request.body.uri)).id);
      return reply.code(204).send();
    });

    app.delete('/users/me/subscriptions/:uri', {
      schema: { tags, params: SubscriptionParams, response: { 204: {}, ...errorResponses } },
    }, async (request, reply) => {
      const user = requireUser(request);
      if (!await subscriptions.unsubscribe(pool, user.account_id, (await channelOf(request.params.uri)).id)) throw notFound('Subscription');
      return reply.code(204).send();
    });
  };
}
