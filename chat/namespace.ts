// The socket.io namespace /chat (protocol: docs/CHAT.md). It turns socket events into service calls
// and the service's broadcasts into socket events; with the postgres adapter those reach the
// sockets of every server process, and serverSideEmit hands them to the other processes' hubs.
import type { Namespace, Server, Socket } from 'socket.io';
import type { Logger } from '../config/index.ts';
import type { UserRow } from '../db/index.ts';
import type { ChatBroadcast } from './broadcast.ts';
import type { ChatError } from './contracts.ts';
import { FloodGuard } from './flood.ts';
import { participantOf, type Participant } from './participant.ts';
import { isChatError, type ChatService, type Membership } from './service.ts';
import { moderate, deleteMessage, updateSettings, type ModerationRequest } from './moderation.ts';
import { numberField } from './fields.ts';

const MAX_ROOMS_PER_SOCKET = 5;
/** Every event a socket sends counts here: a client stuck in a loop cannot keep the server busy. */
const EVENTS_PER_WINDOW = 40;
const EVENT_WINDOW_MS = 10_000;

export interface ChatNamespaceOptions {
  io: Server;
  service: ChatService;
  /** The user of an OAuth access token; 'invalid' for an unknown or expired one. */
  authenticate(token: string): Promise<UserRow | 'invalid'>;
  /** The client's address, as the HTTP layer would see it (trusted proxies honoured). */
  addressOf(socket: Socket): string;
  ipSalt: Buffer;
  log: Logger;
}

type Ack = (answer: Record<string, unknown>) => void;
const roomChannel = (roomId: number) => `room:${roomId}`;
const identityChannel = (key: string) => `who:${key}`;
const fail = (error: ChatError) => ({ ok: false, error });

export function attachChatNamespace(options: ChatNamespaceOptions): Namespace {
  const { io, service, log } = options;
  const namespace = io.of('/chat');
  const eventFlood = new FloodGuard(EVENTS_PER_WINDOW, EVENT_WINDOW_MS);

  // Each process delivers to its own sockets: local delivery never waits on Postgres, and one
  // NOTIFY per event (serverSideEmit through the postgres adapter) tells the other processes.
  service.publish = (event) => {
    deliverToSockets(namespace, event);
    namespace.serverSideEmit('chat-hub', event);
    service.emitLocally(event);
  };
  namespace.on('chat-hub', (event: ChatBroadcast) => {
    deliverToSockets(namespace, event);
    service.emitLocally(event);
  });

  namespace.use((socket, next) => {
    void identify(options, socket).then(async (participant) => {
      socket.data.participant = participant;
      // Before the first event: a ban of the account right after must already cover this address.
      await service.noteConnection(participant).catch((error: Error) => log.warn(`chat: could not note an account's address: ${error.message}`));
      next();
    }, (error: Error) => next(error));
  });

  namespace.on('connection', (socket) => {
    const participant = socket.data.participant as Participant;
    const memberships = new Map<number, Membership>();
    void socket.join(participant.banKeys.map(identityChannel));

    const on = (event: string, handler: (payload: Record<string, unknown>) => Promise<Record<string, unknown>>) => {
      socket.on(event, (payload: unknown, ack: unknown) => {
        const reply: Ack = typeof ack === 'function' ? ack as Ack : () => undefined;
        const waitMs = eventFlood.take(socket.id);
        if (waitMs > 0) {
          reply(fail({ code: 'rate_limited', message: 'Too many requests', retryAfterSeconds: Math.ceil(waitMs / 1000) }));
          return;
        }
        const body = typeof payload === 'object' && payload !== null ? payload as Record<string, unknown> : {};
        handler(body).then(reply, (error: Error) => {
          log.error(`chat ${event} failed: ${error.stack ?? error.message}`);
          reply(fail({ code: 'invalid', message: 'The server could not do that; try again' }));
        });
      });
    };
    const membershipOf = (body: Record<string, unknown>) => memberships.get(numberField(body.roomId));
    const notJoined = fail({ code: 'not_joined', message: 'Join the room first' });

    on('join', async (body) => {
      if (memberships.size >= MAX_ROOMS_PER_SOCKET) return fail({ code: 'invalid', message: `At most ${MAX_ROOMS_PER_SOCKET} rooms per connection` });
      const password = typeof body.password === 'string' && body.password !== '' ? body.password : undefined;
      const grant = await service.join(participant, body.videoId, password);
      if (isChatError(grant)) return fail(grant);
      memberships.set(grant.membership.room.id, grant.membership);
      // In the room before reading its history: a message said meanwhile is in one or the other.
      await socket.join(roomChannel(grant.membership.room.id));
      return { ok: true, room: grant.room, me: grant.me, history: await service.history(grant.membership.room.id) };
    });
    on('leave', async (body) => {
      const membership = membershipOf(body);
      if (!membership) return notJoined;
      memberships.delete(membership.room.id);
      await socket.leave(roomChannel(membership.room.id));
      return { ok: true };
    });
    on('send', async (body) => {
      const membership = membershipOf(body);
      if (!membership) return notJoined;
      const message = await service.post(participant, membership, body.text);
      return isChatError(message) ? fail(message) : { ok: true, message };
    });
    on('delete', async (body) => {
      const membership = membershipOf(body);
      if (!membership) return notJoined;
      const error = await deleteMessage(service, actorOf(participant), membership, numberField(body.messageId));
      return error ? fail(error) : { ok: true };
    });
    on('moderate', async (body) => {
      const membership = membershipOf(body);
      if (!membership) return notJoined;
      const error = await moderate(service, actorOf(participant), membership, body as unknown as ModerationRequest);
      return error ? fail(error) : { ok: true };
    });
    on('settings', async (body) => {
      const membership = membershipOf(body);
      if (!membership) return notJoined;
      const result = await updateSettings(service, actorOf(participant), membership, body);
      return isChatError(result) ? fail(result) : { ok: true, settings: result };
    });
  });
  return namespace;
}

function actorOf(participant: Participant) {
  return { label: participant.nick, accountId: participant.user?.account_id ?? null, key: participant.key };
}

async function identify(options: ChatNamespaceOptions, socket: Socket): Promise<Participant> {
  const auth = (socket.handshake.auth ?? {}) as { token?: unknown; anonId?: unknown };
  let user: UserRow | undefined;
  if (typeof auth.token === 'string' && auth.token !== '') {
    const found = await options.authenticate(auth.token);
    if (found === 'invalid') throw new Error('invalid_token');
    user = found;
  }
  return participantOf({ user, anonId: auth.anonId, connectionId: socket.id, ip: options.addressOf(socket), salt: options.ipSalt });
}

function deliverToSockets(namespace: Namespace, event: ChatBroadcast): void {
  const room = namespace.local.to(roomChannel(event.room.id));
  switch (event.type) {
    case 'message': room.emit('message', event.message); break;
    case 'deleted': room.emit('deleted', { roomId: event.room.id, messageIds: event.messageIds }); break;
    case 'cleared': room.emit('cleared', { roomId: event.room.id }); break;
    case 'room-active': break;
    case 'settings': room.emit('settings', { roomId: event.room.id, settings: event.settings }); break;
    case 'moderated':
      namespace.local.to(event.targetKeys.map(identityChannel)).emit('moderated',
        { roomId: event.room.id, action: event.action, until: event.until, reason: event.reason });
      break;
  }
}
