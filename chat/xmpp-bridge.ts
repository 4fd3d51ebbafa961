// The XMPP bridge: the server joins the XMPP server as a component (XEP-0114) and mirrors each
// active chat room in a MUC room (XEP-0045). Web users speak there through occupants of their own;
// XMPP users' messages and retractions come back to the web through the ChatHub.
import type { Config, Logger } from '../config/index.ts';
import type { ChatDeletion, ChatHub, ChatHubEvents, ChatRoomRef } from './contracts.ts';
import { botJid } from './xmpp/addresses.ts';
import { openConnection } from './xmpp/connection.ts';
import type { BridgeContext } from './xmpp/context.ts';
import { onStanza } from './xmpp/from-muc.ts';
import { HeardLog } from './xmpp/heard-log.ts';
import { Occupants } from './xmpp/occupants.ts';
import { Rooms, type RoomState } from './xmpp/rooms.ts';
import { SentLog } from './xmpp/sent-log.ts';
import { Roster } from './xmpp/roster.ts';
import { catchUp, clear, closeRoom, deliver, joinBot, retract, retractOwed, silence } from './xmpp/to-muc.ts';

export interface XmppBridge { stop(): Promise<void> }

export interface XmppBridgeOptions { hub: ChatHub; settings: Config['chat']['xmpp']; log: Logger }

/** How many of our recent messages a "clear" retracts one by one. */
const CLEAR_RETRACT_LIMIT = 100;
/** A web user's occupant leaves the MUC after this long without a message. */
const IDLE_OCCUPANT_MS = 30 * 60_000;
const SWEEP_EVERY_MS = 60_000;
/** A room with web activity this recent is rejoined after a reconnection even if its live is off air. */
const RECENT_ACTIVITY_MS = 60 * 60_000;
/** How long start-up waits for the first connection before going on without it. */
const FIRST_CONNECT_WAIT_MS = 3_000;

export async function startXmppBridge({ hub, settings, log }: XmppBridgeOptions): Promise<XmppBridge> {
  let firstOnline: () => void = () => {};
  const connected = new Promise<void>((resolve) => { firstOnline = resolve; });
  let inbound = Promise.resolve();
  // The handlers run only once connected, after ctx below exists.
  const connection = openConnection(settings, log, {
    online: () => { firstOnline(); void rejoin(ctx); },
    offline: () => ctx.occupants.reset(),
    stanza: (stanza) => onStanza(ctx, stanza, (task) => {
      // XMPP messages reach the hub one after another, in the order the MUC sent them.
      inbound = inbound.then(task).catch((error: Error) => log.warn(`passing an XMPP message to the web chat failed: ${error.message}`));
    }),
  });
  const ctx: BridgeContext = {
    hub, settings, log, connection, botJid: botJid(settings.componentDomain),
    occupants: new Occupants(connection), rooms: new Rooms(settings.mucDomain), sent: new SentLog(), heard: new HeardLog(),
    roster: new Roster(),
  };

  const listeners = hubListeners(ctx);
  hub.on('message', listeners.message);
  hub.on('deleted', listeners.deleted);
  hub.on('cleared', listeners.cleared);
  hub.on('room-active', listeners['room-active']);
  hub.on('moderated', listeners.moderated);
  const sweeper = setInterval(() => {
    if (connection.isOnline()) void ctx.occupants.leaveIdle(IDLE_OCCUPANT_MS, ctx.botJid);
  }, SWEEP_EVERY_MS).unref();
  await Promise.race([connected, new Promise((resolve) => setTimeout(resolve, FIRST_CONNECT_WAIT_MS).unref())]);

  return {
    async stop() {
      clearInterval(sweeper);
      hub.off('message', listeners.message);
      hub.off('deleted', listeners.deleted);
      hub.off('cleared', listeners.cleared);
      hub.off('room-active', listeners['room-active']);
      hub.off('moderated', listeners.moderated);
      if (ctx.connection.isOnline()) await ctx.occupants.leaveAll();
      await ctx.connection.stop();
    },
  };
}

type Listeners = { [E in keyof ChatHubEvents]: (...args: ChatHubEvents[E]) => void };

function hubListeners(ctx: BridgeContext): Listeners {
  return {
    message: ({ room, message, bridgeId }) => {
      // Messages that came from XMPP are already in the MUC: sending them would echo.
      if (bridgeId !== null || message.author.source !== 'web') return;
      enqueue(ctx, room, (state) => deliver(ctx, state, message));
    },
    deleted: (deletion: ChatDeletion) => {
      for (const messageId of deletion.messageIds) {
        const sent = ctx.sent.get(messageId);
        if (sent) enqueue(ctx, deletion.room, (state) => retract(ctx, state, sent));
      }
    },
    cleared: ({ room }) => enqueue(ctx, room, (state) => clear(ctx, state, CLEAR_RETRACT_LIMIT)),
    'room-active': (room) => enqueue(ctx, room, async (state) => {
      if (ctx.connection.isOnline()) await joinBot(ctx, state);
    }),
    // Only rooms the bridge is in: a ban elsewhere in the channel is met at the next message.
    moderated: ({ room, targetKeys }) => {
      if (ctx.rooms.byId(room.id)) enqueue(ctx, room, (state) => silence(ctx, state, targetKeys));
    },
  };
}

/**
 * Runs `task` in the room's queue, once the hub says the room may still be bridged (its live is
 * public or unlisted: privacy can change at any time); otherwise the room is closed instead.
 */
function enqueue(ctx: BridgeContext, room: ChatRoomRef, task: (state: RoomState) => Promise<void>): void {
  const state = ctx.rooms.ensure(room);
  void ctx.rooms.enqueue(state, async () => {
    if (await ctx.hub.mayBridge(room.id)) return task(state);
    if (ctx.rooms.byJid(state.jid) === state) await closeRoom(ctx, state);
  }, (error) => ctx.log.warn(`XMPP bridge, room ${state.jid}: ${error.message}`));
}

/**
 * After (re)connecting, the bot rejoins the rooms with a live on air, those with web activity lately
 * (the hub announces an audience only now and then), and those we owe messages; then it catches up.
 */
async function rejoin(ctx: BridgeContext): Promise<void> {
  let active: ChatRoomRef[] = [];
  try {
    active = await ctx.hub.activeRooms();
  } catch (error) {
    ctx.log.warn(`XMPP bridge: cannot list the active chat rooms: ${(error as Error).message}`);
  }
  const activeIds = new Set(active.map((room) => room.id));
  for (const room of active) ctx.rooms.ensure(room);
  const recently = Date.now() - RECENT_ACTIVITY_MS;
  const targets = ctx.rooms.all().filter((state) => activeIds.has(state.ref.id) || state.owed || state.lastActivity > recently);
  for (const state of targets) {
    enqueue(ctx, state.ref, async () => {
      await joinBot(ctx, state);
      await catchUp(ctx, state);
      await retractOwed(ctx, state);
    });
  }
  ctx.log.info(`XMPP bridge: in ${targets.length} MUC room(s) on ${ctx.settings.mucDomain}`);
}
