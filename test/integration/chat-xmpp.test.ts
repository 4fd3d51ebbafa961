// The XMPP bridge against a real Prosody: first with a small in-process ChatHub (the bridge alone),
// then end to end with the real server, web clients over socket.io and an XMPP user.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { startXmppBridge, type XmppBridge } from '../../chat/xmpp-bridge.ts';
import type { ChatAuthor, ChatError, ChatHub, ChatHubEvents, ChatMessage, ChatRoomRef } from '../../chat/contracts.ts';
import { NS } from '../../chat/xmpp/namespaces.ts';
import { xml, type XmlElement } from '../../chat/xmpp/xmpp-js.ts';
import { createLogger } from '../../config/index.ts';
import { ApiClient } from '../helpers/api.ts';
import { connectChat, type ChatClient } from '../helpers/chat.ts';
import { connectXmppUser, startProsody, type TestProsody, type XmppTestUser } from '../helpers/prosody.ts';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { sleep, waitFor } from '../helpers/wait.ts';

const bodyOf = (stanza: XmlElement) => stanza.getChildText('body');
const stanzaIdOf = (stanza: XmlElement, room: string) => stanza.getChildren('stanza-id', NS.sid).find((child) => child.attrs.by === room)?.attrs.id;
const liveMessages = (user: XmppTestUser, room: string) => user.groupchat(room).filter((stanza) => !stanza.getChild('delay', NS.delay));

/** A ChatHub with the behaviour the bridge relies on, kept in memory. */
class FakeHub extends EventEmitter<ChatHubEvents> implements ChatHub {
  readonly rooms: ChatRoomRef[] = [];
  readonly messages: Array<ChatMessage & { bridgeId: string | null }> = [];
  readonly retracted: string[] = [];
  #nextId = 1;

  async activeRooms() { return this.rooms; }
  async roomByXmppName(name: string) { return this.rooms.find((room) => room.xmppName === name); }
  async messagesAfter(roomId: number, afterId: number, limit: number) {
    return this.messages.filter((message) => message.roomId === roomId && message.id > afterId && message.bridgeId === null).slice(0, limit);
  }

  async postFromXmpp(input: { roomId: number; nick: string; text: string; bridgeId: string }): Promise<ChatMessage | ChatError> {
    if (input.text.includes('forbidden')) return { code: 'forbidden_word', message: 'That word is not allowed here.' };
    return this.#store(input.roomId, { nick: input.nick, color: 'red', account: null, anonymous: false, source: 'xmpp', moderator: false }, input.text, input.bridgeId);
  }

  async mayBridge() { return true; }
  async xmppRefusal() { return undefined; }

  async retractFromXmpp(input: { roomId: number; bridgeId: string }) {
    this.retracted.push(input.bridgeId);
  }

  webSay(roomId: number, nick: string, text: string): ChatMessage {
    return this.#store(roomId, { nick, color: 'blue', account: nick, anonymous: false, source: 'web', moderator: false }, text, null);
  }

  #store(roomId: number, author: ChatAuthor, text: string, bridgeId: string | null): ChatMessage {
    const message = { id: this.#nextId++, roomId, videoId: 1, author, text, createdAt: new Date().toISOString(), offsetSeconds: null, bridgeId };
    this.messages.push(message);
    const room = this.rooms.find((candidate) => candidate.id === roomId)!;
    this.emit('message', { room, message, bridgeId });
    return message;
  }
}

/** Whether a MUC room exists (disco#info answers item-not-found otherwise), asked by a throwaway session. */
async function roomExists(prosody: TestProsody, room: string, user = 'alice'): Promise<boolean> {
  const probe = await connectXmppUser(prosody, user, `${user}-password`, `probe-${Date.now()}`);
  try {
    await probe.send(xml('iq', { type: 'get', to: room, id: 'disco' }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })));
    const answer = await waitFor('disco answer', () => probe.received.find((stanza) => stanza.attrs.id === 'disco'), { timeoutMs: 3_000, intervalMs: 50 });
    return answer.attrs.type === 'result';
  } finally {
    await probe.stop();
  }
}

describe('XMPP bridge with an in-process hub', () => {
  let prosody: TestProsody;
  let bridge: XmppBridge | undefined;
  let alice: XmppTestUser | undefined;
  const hub = new FakeHub();
  const ref: ChatRoomRef = { id: 1, xmppName: 'live-fake-1', title: 'Fake live' };
  let room: string;

  before(async () => {
    prosody = await startProsody();
    await prosody.registerUser('alice', 'alice-password');
    room = `${ref.xmppName}@${prosody.mucDomain}`;
    hub.rooms.push(ref);
    bridge = await startXmppBridge({
      hub, log: createLogger('warn', 'xmpp-test'),
      settings: { enabled: true, host: '127.0.0.1', port: prosody.componentPort, componentDomain: prosody.componentDomain, componentSecret: prosody.componentSecret, mucDomain: prosody.mucDomain },
    });
    // alice sits in the bridged room for every test (the one that restarts Prosody brings her back).
    alice = await connectXmppUser(prosody, 'alice', 'alice-password');
    await waitFor('the bridge to create the room', () => roomExists(prosody, room));
    await alice.join(room, 'alice');
  });

  after(async () => {
    await alice?.stop();
    await bridge?.stop();
    await prosody?.stop();
  });

  it('shows web messages in the MUC under the web user\'s nick, once', async () => {
    hub.webSay(1, 'webby', 'hello from the web');
    const seen = await waitFor('the web message in the MUC', () => liveMessages(alice!, room).find((stanza) => bodyOf(stanza) === 'hello from the web'));
    assert.equal(seen.attrs.from, `${room}/webby`);
    await sleep(500);
    assert.equal(liveMessages(alice!, room).filter((stanza) => bodyOf(stanza) === 'hello from the web').length, 1);
    const subject = alice!.groupchat(room).find((stanza) => stanza.getChild('subject'));
    assert.equal(subject?.getChildText('subject'), 'Fake live');
  });

  it('passes XMPP messages to the hub with the MUC stanza-id, and does not echo', async () => {
    const earlier = hub.messages.length; // what other tests said
    await alice!.say(room, 'hello from xmpp');
    const posted = await waitFor('the XMPP message in the hub', () => hub.messages.find((message) => message.text === 'hello from xmpp'));
    assert.equal(posted.author.nick, 'alice');
    assert.equal(posted.author.source, 'xmpp');
    const reflection = liveMessages(alice!, room).find((stanza) => bodyOf(stanza) === 'hello from xmpp');
    assert.equal(posted.bridgeId, stanzaIdOf(reflection!, room));
    await sleep(500);
    assert.equal(hub.messages.filter((message) => message.text === 'hello from xmpp').length, 1);
    assert.equal(hub.messages.slice(earlier).filter((message) => message.author.source === 'xmpp').length, 1, 'web messages never come back as XMPP ones');
    assert.equal(liveMessages(alice!, room).filter((stanza) => bodyOf(stanza) === 'hello from xmpp').length, 1);
  });

  it('tells the XMPP user privately when the web chat refuses a message', async () => {
    await alice!.say(room, 'a forbidden thing');
    await waitFor('the refusal notice', () => alice!.received.find((stanza) => stanza.attrs.type === 'chat' && bodyOf(stanza)?.includes('not allowed')));
  });

  it('retracts a web message deleted on the web, naming its stanza-id', async () => {
    const earlier = liveMessages(alice!, room).length; // retractions of other tests come before
    const message = hub.webSay(1, 'webby', 'to be deleted');
    const seen = await waitFor('the message', () => liveMessages(alice!, room).find((stanza) => bodyOf(stanza) === 'to be deleted'));
    const stanzaId = stanzaIdOf(seen, room);
    assert.ok(stanzaId, 'the MUC stamps a stanza-id');
    await sleep(200); // the bridge learns the stanza-id from its own copy
    hub.emit('deleted', { room: ref, messageIds: [message.id], bridgeIds: [] });
    const retraction = await waitFor('the retraction', () => liveMessages(alice!, room).slice(earlier).find((stanza) => stanza.getChild('retract', NS.retract)));
    assert.equal(retraction.attrs.from, `${room}/webby`);
    assert.equal(retraction.getChild('retract', NS.retract)!.attrs.id, stanzaId);
    assert.equal(retraction.getChild('apply-to', NS.fasten)!.attrs.id, `livecast-${message.id}`);
    assert.equal(hub.messages.filter((candidate) => candidate.author.source === 'xmpp' && candidate.text.includes('retract')).length, 0);
  });

  it('passes an XMPP user\'s own retraction to the hub', async () => {
    const id = await alice!.say(room, 'oops');
    const posted = await waitFor('the message in the hub', () => hub.messages.find((message) => message.text === 'oops'));
    const reflection = await waitFor('its reflection', () => liveMessages(alice!, room).find((stanza) => stanza.attrs.id === id));
    await alice!.send(xml('message', { to: room, type: 'groupchat', id: `${id}-r` },
      xml('retract', { xmlns: NS.retract, id: stanzaIdOf(reflection, room) }),
      xml('fallback', { xmlns: NS.fallback, for: NS.retract }), xml('body', {}, 'retracted')));
    await waitFor('the retraction in the hub', () => hub.retracted.includes(posted.bridgeId!));
    assert.equal(hub.messages.filter((message) => message.text === 'retracted').length, 0, 'the fallback body is not a message');
  });

  it('gives a web user another nick when an XMPP user has theirs', async () => {
    hub.webSay(1, 'alice', 'I am the web alice');
    const seen = await waitFor('the message', () => liveMessages(alice!, room).find((stanza) => bodyOf(stanza) === 'I am the web alice'));
    assert.equal(seen.attrs.from, `${room}/alice (web)`);
  });

  it('joins a room that becomes active, with its title as subject', async () => {
    const second: ChatRoomRef = { id: 2, xmppName: 'live-fake-2', title: 'Second live' };
    hub.rooms.push(second);
    hub.emit('room-active', second);
    const secondRoom = `${second.xmppName}@${prosody.mucDomain}`;
    await waitFor('the bridge in the new room', () => roomExists(prosody, secondRoom), { timeoutMs: 10_000 });
    await alice!.join(secondRoom, 'alice');
    const subject = await waitFor('the subject', () => alice!.groupchat(secondRoom).find((stanza) => stanza.getChild('subject')));
    assert.equal(subject.getChildText('subject'), 'Second live');
    assert.equal(subject.attrs.from, `${secondRoom}/livecast`);
  });

  it('retracts recent web messages and tells the room when the web chat is cleared', async () => {
    hub.webSay(1, 'webby', 'before the clear');
    await waitFor('the message', () => liveMessages(alice!, room).find((stanza) => bodyOf(stanza) === 'before the clear'));
    await sleep(200);
    const retractionsBefore = liveMessages(alice!, room).filter((stanza) => stanza.getChild('retract', NS.retract)).length;
    hub.emit('cleared', { room: ref });
    await waitFor('the notice', () => liveMessages(alice!, room).find((stanza) => bodyOf(stanza) === 'A moderator cleared the chat.'));
    const retractions = liveMessages(alice!, room).filter((stanza) => stanza.getChild('retract', NS.retract));
    assert.ok(retractions.length > retractionsBefore, 'the recent web messages are retracted');
  });

  it('delivers web messages said while the XMPP server was down, once', async () => {
    await alice!.stop();
    await prosody.halt();
    hub.webSay(1, 'webby', 'said while down');
    // A room the bridge never said anything in yet, which is not among the active rooms either.
    const third: ChatRoomRef = { id: 3, xmppName: 'live-fake-3', title: 'Third live' };
    hub.rooms.push(third);
    hub.webSay(3, 'webby', 'first words while down');
    hub.rooms.pop();
    await sleep(300);
    await prosody.start();
    alice = await connectXmppUser(prosody, 'alice', 'alice-password');
    // The room exists again once the bridge is back in it; a join before that would create it.
    await waitFor('the bridge back in the room', () => roomExists(prosody, room), { timeoutMs: 30_000, intervalMs: 500 });
    await alice.join(room, 'alice');
    await waitFor('the message said while down', () => alice!.groupchat(room).find((stanza) => bodyOf(stanza) === 'said while down'), { timeoutMs: 20_000 });
    await sleep(1_000);
    assert.equal(alice.groupchat(room).filter((stanza) => bodyOf(stanza) === 'said while down').length, 1);
    const thirdRoom = `${third.xmppName}@${prosody.mucDomain}`;
    await waitFor('the bridge in the third room', () => roomExists(prosody, thirdRoom), { timeoutMs: 10_000 });
    await alice.join(thirdRoom, 'alice');
    await waitFor('the third room\'s message', () => alice!.groupchat(thirdRoom).find((stanza) => bodyOf(stanza) === 'first words while down'));
    // And live messages flow again.
    hub.webSay(1, 'webby', 'after the restart');
    await waitFor('a live message after the restart', () => liveMessages(alice!, room).find((stanza) => bodyOf(stanza) === 'after the restart'));
  });
});

describe('XMPP bridge end to end: the real server, web clients and an XMPP user', () => {
  let prosody: TestProsody;
  let server: TestServer;
  let xmppUser: XmppTestUser | undefined;
  const web: ChatClient[] = [];
  let room: string;
  let roomId: number;
  const webTexts = (client: ChatClient, text: string) => client.events.filter((entry) => entry.event === 'message' && entry.payload.text === text);

  before(async () => {
    prosody = await startProsody();
    await prosody.registerUser('xfan', 'xfan-password');
    server = await createTestServer({
      CHAT_XMPP_ENABLED: 'true', CHAT_XMPP_HOST: '127.0.0.1', CHAT_XMPP_PORT: String(prosody.componentPort),
      CHAT_XMPP_COMPONENT_DOMAIN: prosody.componentDomain, CHAT_XMPP_COMPONENT_SECRET: prosody.componentSecret,
      CHAT_XMPP_MUC_DOMAIN: prosody.mucDomain,
    });
    await server.start();
    const admin = await ApiClient.asAdmin(server.baseUrl);
    const live = await admin.createLive({ name: 'Bridged live' });
    web.push(await connectChat(server.baseUrl, { token: admin.token }));
    web.push(await connectChat(server.baseUrl, { anonId: 'xmpp-bridge-viewer-0001' }));
    const ack = await web[0].join(live.uuid);
    await web[1].join(live.uuid);
    roomId = ack.room.id;
    const address = /^xmpp:([^?]+)\?join$/.exec(ack.room.xmppAddress ?? '');
    assert.ok(address, `the join ack gives the MUC address (${ack.room.xmppAddress})`);
    room = address[1];
    assert.equal(room.split('@')[1], prosody.mucDomain);
    // The bridge's bot enters (and creates) the room once the web room has an audience.
    await waitFor('the bridge in the MUC room', () => roomExists(prosody, room, 'xfan'), { timeoutMs: 30_000, intervalMs: 500 });
    xmppUser = await connectXmppUser(prosody, 'xfan', 'xfan-password');
    await xmppUser.join(room, 'xfan');
  });

  after(async () => {
    for (const client of web) client.close();
    await xmppUser?.stop();
    await server?.destroy();
    await prosody?.stop();
  });

  it('(a) the XMPP user sees the web user\'s message under their nick, once', async () => {
    const sent = await web[0].send('hello from the web');
    assert.equal(sent.ok, true, JSON.stringify(sent));
    const seen = await waitFor('the web message in the MUC', () => liveMessages(xmppUser!, room).find((stanza) => bodyOf(stanza) === 'hello from the web'));
    assert.equal(seen.attrs.from, `${room}/${sent.message.author.nick}`);
    await sleep(1_000);
    assert.equal(liveMessages(xmppUser!, room).filter((stanza) => bodyOf(stanza) === 'hello from the web').length, 1, '(d) no echo');
    for (const client of web) assert.equal(webTexts(client, 'hello from the web').length, 1, '(d) the web sees its own message once');
  });

  it('(b) the XMPP user\'s message reaches the web clients as an XMPP author, once', async () => {
    await xmppUser!.say(room, 'hello from xmpp');
    for (const client of web) {
      const message = await client.waitForEvent('message', (payload) => payload.text === 'hello from xmpp');
      assert.equal(message.author.source, 'xmpp');
      assert.equal(message.author.nick, 'xfan');
      assert.equal(message.roomId, roomId);
    }
    await sleep(1_000);
    for (const client of web) assert.equal(webTexts(client, 'hello from xmpp').length, 1, '(d) no echo');
    assert.equal(liveMessages(xmppUser!, room).filter((stanza) => bodyOf(stanza) === 'hello from xmpp').length, 1, '(d) only the MUC\'s own reflection');
  });

  it('markup in an XMPP nick and message reaches the web as plain text, one line of nick', async () => {
    await prosody.registerUser('xhostile', 'xhostile-password');
    const hostile = await connectXmppUser(prosody, 'xhostile', 'xhostile-password');
    try {
      const nick = '<img src=x onerror=alert(1)>';
      await hostile.join(room, nick);
      await hostile.say(room, '<script>alert("xmpp")</script>');
      const message = await web[1].waitForEvent('message', (payload) => payload.author.source === 'xmpp' && payload.text.includes('<script>'));
      assert.equal(message.author.nick, nick, 'kept as text: the web page inserts nicks with textContent');
      assert.equal(message.text, '<script>alert("xmpp")</script>');
    } finally {
      await hostile.stop();
    }
  });

  it('(c) a deletion on the web retracts the message for the XMPP user', async () => {
    const sent = await web[0].send('to be deleted');
    assert.equal(sent.ok, true, JSON.stringify(sent));
    const seen = await waitFor('the message in the MUC', () => liveMessages(xmppUser!, room).find((stanza) => bodyOf(stanza) === 'to be deleted'));
    await sleep(300); // the bridge learns the MUC's stanza-id from its own copy
    const deleted = await web[0].emit('delete', { roomId, messageId: sent.message.id });
    assert.equal(deleted.ok, true, JSON.stringify(deleted));
    const retraction = await waitFor('the retraction', () => liveMessages(xmppUser!, room).find((stanza) => stanza.getChild('retract', NS.retract)));
    assert.equal(retraction.attrs.from, seen.attrs.from, 'retracted by its author');
    assert.equal(retraction.getChild('retract', NS.retract)!.attrs.id, stanzaIdOf(seen, room));
  });

  it('(e) a web message said while Prosody is down reaches the XMPP user once it is back', async () => {
    await xmppUser!.stop();
    await prosody.halt();
    const sent = await web[0].send('said while prosody was down');
    assert.equal(sent.ok, true, JSON.stringify(sent));
    await sleep(500);
    await prosody.start();
    await waitFor('the bridge back in the MUC room', () => roomExists(prosody, room, 'xfan'), { timeoutMs: 30_000, intervalMs: 500 });
    xmppUser = await connectXmppUser(prosody, 'xfan', 'xfan-password');
    await xmppUser.join(room, 'xfan');
    await waitFor('the message said while down', () => xmppUser!.groupchat(room).find((stanza) => bodyOf(stanza) === 'said while prosody was down'), { timeoutMs: 20_000 });
    await sleep(1_500);
    assert.equal(xmppUser.groupchat(room).filter((stanza) => bodyOf(stanza) === 'said while prosody was down').length, 1);
    // Both ways work again.
    await web[0].send('after the restart');
    await waitFor('a live web message', () => liveMessages(xmppUser!, room).find((stanza) => bodyOf(stanza) === 'after the restart'));
    await xmppUser.say(room, 'back from xmpp');
    await web[1].waitForEvent('message', (payload) => payload.text === 'back from xmpp' && payload.author.source === 'xmpp');
  });

  it('rejoins a room with a web audience after a restart even when nothing was said meanwhile', async () => {
    await xmppUser!.stop();
    await prosody.restart();
    await waitFor('the bridge back in the MUC room', () => roomExists(prosody, room, 'xfan'), { timeoutMs: 30_000, intervalMs: 500 });
    xmppUser = await connectXmppUser(prosody, 'xfan', 'xfan-password');
    await xmppUser.join(room, 'xfan');
    const subject = await waitFor('the subject', () => xmppUser!.groupchat(room).find((stanza) => stanza.getChild('subject')));
    assert.equal(subject.getChildText('subject'), 'Bridged live');
  });
});
