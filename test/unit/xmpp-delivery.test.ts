// The bridge's delivery rules without an XMPP server: every web message reaches the MUC once, in
// order, whether it arrives live or is caught up after a disconnection.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { ChatHub, ChatHubEvents, ChatMessage } from '../../chat/contracts.ts';
import { botJid } from '../../chat/xmpp/addresses.ts';
import type { BridgeConnection } from '../../chat/xmpp/connection.ts';
import type { BridgeContext } from '../../chat/xmpp/context.ts';
import { HeardLog } from '../../chat/xmpp/heard-log.ts';
import { Occupants } from '../../chat/xmpp/occupants.ts';
import { Rooms } from '../../chat/xmpp/rooms.ts';
import { Roster } from '../../chat/xmpp/roster.ts';
import { SentLog } from '../../chat/xmpp/sent-log.ts';
import { catchUp, deliver } from '../../chat/xmpp/to-muc.ts';
import type { XmlElement } from '../../chat/xmpp/xmpp-js.ts';
import { createLogger } from '../../config/index.ts';

const ROOM = { id: 7, xmppName: 'live-x', title: 'X' };

function message(id: number, text = `message ${id}`): ChatMessage {
  return { id, roomId: ROOM.id, videoId: 1, text, createdAt: new Date().toISOString(), offsetSeconds: null,
    author: { nick: 'ann', color: 'red', account: 'ann', anonymous: false, source: 'web', moderator: false } };
}

/** A connection that answers every join as the MUC would, and records what is said. */
function setUp(stored: ChatMessage[]) {
  let online = true;
  const said: string[] = [];
  let occupants: Occupants;
  const connection: BridgeConnection = {
    isOnline: () => online,
    async send(stanza: XmlElement) {
      if (!online) throw new Error('offline');
      if (stanza.name === 'presence') {
        const [room, nick] = stanza.attrs.to!.split('/');
        queueMicrotask(() => occupants.onPresence({ kind: 'joined', room, to: stanza.attrs.from!, nick, created: false }));
      }
      const body = stanza.getChildText('body');
      if (stanza.name === 'message' && body) said.push(body);
    },
    request: async (iq) => iq,
    stop: async () => {},
  };
  occupants = new Occupants(connection);
  const hub = Object.assign(new EventEmitter<ChatHubEvents>(), {
    activeRooms: async () => [ROOM],
    roomByXmppName: async () => ROOM,
    // Like the real hub, it may return fewer than asked (it filters out XMPP rows after the limit).
    messagesAfter: async (_roomId: number, afterId: number, limit: number) => stored.filter((entry) => entry.id > afterId).slice(0, limit).filter((entry) => entry.id % 10 !== 0),
    postFromXmpp: async () => message(0),
    retractFromXmpp: async () => {},
    mayBridge: async () => true,
    xmppRefusal: async () => undefined,
  }) as ChatHub;
  const ctx: BridgeContext = {
    hub, settings: { enabled: true, host: '127.0.0.1', port: 1, componentDomain: 'c.localhost', componentSecret: 's', mucDomain: 'muc.localhost' },
    log: createLogger('silent'), connection, occupants, rooms: new Rooms('muc.localhost'), sent: new SentLog(), heard: new HeardLog(), roster: new Roster(), botJid: botJid('c.localhost'),
  };
  const state = ctx.rooms.ensure(ROOM);
  const goOffline = () => { online = false; occupants.reset(); };
  const goOnline = () => { online = true; };
  return { ctx, state, said, goOffline, goOnline };
}

describe('XMPP bridge delivery', () => {
  it('says live messages once, in order', async () => {
    const { ctx, state, said } = setUp([]);
    for (const id of [1, 2, 2, 1, 3]) await deliver(ctx, state, message(id));
    assert.deepEqual(said, ['message 1', 'message 2', 'message 3']);
  });

  it('catches up on messages said while offline, and skips their late live events', async () => {
    const stored = [1, 2, 3, 4].map((id) => message(id));
    const { ctx, state, said, goOffline, goOnline } = setUp(stored);
    await deliver(ctx, state, stored[0]);
    goOffline();
    await deliver(ctx, state, stored[1]);
    await deliver(ctx, state, stored[2]);
    assert.equal(state.owed, true);
    goOnline();
    await catchUp(ctx, state);
    await deliver(ctx, state, stored[3]);
    await deliver(ctx, state, stored[2]);
    assert.deepEqual(said, ['message 1', 'message 2', 'message 3', 'message 4']);
    assert.equal(state.owed, false);
  });

  it('owes a room its first message when that one came while offline', async () => {
    const stored = [message(41)];
    const { ctx, state, said, goOffline, goOnline } = setUp(stored);
    goOffline();
    await deliver(ctx, state, stored[0]);
    goOnline();
    await catchUp(ctx, state);
    assert.deepEqual(said, ['message 41']);
  });

  it('catches up across batches the hub returns short', async () => {
    const stored = Array.from({ length: 250 }, (_, index) => message(index + 1));
    const { ctx, state, said, goOffline, goOnline } = setUp(stored);
    await deliver(ctx, state, stored[0]);
    goOffline();
    await deliver(ctx, state, stored[1]);
    goOnline();
    await catchUp(ctx, state);
    const expected = stored.filter((entry) => entry.id % 10 !== 0).map((entry) => entry.text);
    assert.deepEqual(said, expected);
  });
});
