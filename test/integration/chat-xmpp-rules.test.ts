// The XMPP bridge keeps the chat's rules, against a real Prosody and the real server: only public
// and unlisted lives are bridged, XMPP messages pass the same posting rules as web ones, and a ban
// follows the XMPP user's real address, not the nick they can change.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NS } from '../../chat/xmpp/namespaces.ts';
import { xml, type XmlElement } from '../../chat/xmpp/xmpp-js.ts';
import { ApiClient } from '../helpers/api.ts';
import { connectChat, type ChatClient } from '../helpers/chat.ts';
import { connectXmppUser, startProsody, type TestProsody, type XmppTestUser } from '../helpers/prosody.ts';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { sleep, waitFor } from '../helpers/wait.ts';

const bodyOf = (stanza: XmlElement) => stanza.getChildText('body');
const webTexts = (client: ChatClient) => client.events.filter((entry) => entry.event === 'message').map((entry) => entry.payload.text as string);
/** How many messages the MUC sent back to this user as errors (e.g. a visitor speaking). */
const mucErrors = (user: XmppTestUser) => user.received.filter((stanza) => stanza.name === 'message' && stanza.attrs.type === 'error').length;
/** The private notices the bridge sent this user (why the web chat refused a message). */
const notices = (user: XmppTestUser) => user.received.filter((stanza) => stanza.name === 'message' && stanza.attrs.type === 'chat').map((stanza) => bodyOf(stanza) ?? '');

/** Whether a MUC room exists (disco#info answers item-not-found otherwise), asked by a throwaway session. */
async function roomExists(prosody: TestProsody, room: string): Promise<boolean> {
  const probe = await connectXmppUser(prosody, 'xprobe', 'xprobe-password', `probe-${Date.now()}`);
  try {
    await probe.send(xml('iq', { type: 'get', to: room, id: 'disco' }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })));
    const answer = await waitFor('disco answer', () => probe.received.find((stanza) => stanza.attrs.id === 'disco'), { timeoutMs: 3_000, intervalMs: 50 });
    return answer.attrs.type === 'result';
  } finally {
    await probe.stop();
  }
}

/** The disco#info features of a MUC room (muc_moderated, muc_semianonymous, …). */
async function roomFeatures(prosody: TestProsody, room: string): Promise<string[]> {
  const probe = await connectXmppUser(prosody, 'xprobe', 'xprobe-password', `features-${Date.now()}`);
  try {
    await probe.send(xml('iq', { type: 'get', to: room, id: 'features' }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })));
    const answer = await waitFor('disco answer', () => probe.received.find((stanza) => stanza.attrs.id === 'features'), { timeoutMs: 3_000, intervalMs: 50 });
    return (answer.getChild('query')?.getChildren('feature') ?? []).map((feature) => feature.attrs.var ?? '');
  } finally {
    await probe.stop();
  }
}

describe('the XMPP bridge keeps the chat\'s rules', () => {
  let prosody: TestProsody;
  let server: TestServer;
  let admin: ApiClient;
  const web: ChatClient[] = [];
  const xmppUsers: XmppTestUser[] = [];

  /** A public live with the admin (a moderator) and an anonymous viewer in its web room, and the bridge in its MUC room. */
  async function bridgedLive(name: string) {
    const live = await admin.createLive({ name });
    const mod = await connectChat(server.baseUrl, { token: admin.token });
    const viewer = await connectChat(server.baseUrl, { anonId: `xmpp-rules-${name.replace(/\W/g, '')}`.padEnd(20, 'x') });
    web.push(mod, viewer);
    const ack = await mod.join(live.uuid);
    await viewer.join(live.uuid);
    const room = /^xmpp:([^?]+)\?join$/.exec(ack.room.xmppAddress ?? '')?.[1];
    assert.ok(room, `a public live is bridged (${ack.room.xmppAddress})`);
    await waitFor('the bridge in the MUC room', () => roomExists(prosody, room), { timeoutMs: 30_000, intervalMs: 500 });
    return { live, mod, viewer, room, roomId: ack.room.id as number };
  }

  async function xmppUser(name: string): Promise<XmppTestUser> {
    await prosody.registerUser(name, `${name}-password`);
    const user = await connectXmppUser(prosody, name, `${name}-password`);
    xmppUsers.push(user);
    return user;
  }

  before(async () => {
    prosody = await startProsody();
    await prosody.registerUser('xprobe', 'xprobe-password');
    server = await createTestServer({
      CHAT_XMPP_ENABLED: 'true', CHAT_XMPP_HOST: '127.0.0.1', CHAT_XMPP_PORT: String(prosody.componentPort),
      CHAT_XMPP_COMPONENT_DOMAIN: prosody.componentDomain, CHAT_XMPP_COMPONENT_SECRET: prosody.componentSecret,
      CHAT_XMPP_MUC_DOMAIN: prosody.mucDomain,
    });
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
  });

  after(async () => {
    for (const client of web) client.close();
    for (const user of xmppUsers) await user.stop();
    await server?.destroy();
    await prosody?.stop();
  });

  it('a private or password-protected live gets no MUC room, and its messages stay on the web', async () => {
    const hidden = [
      await admin.createLive({ name: 'Private live', privacy: 3 }),
      await admin.createLive({ name: 'Internal live', privacy: 4 }),
      await admin.createLive({ name: 'Password live', privacy: 5, videoPasswords: ['open-sesame-9'] }),
    ];
    const mod = await connectChat(server.baseUrl, { token: admin.token });
    web.push(mod);
    const addresses: unknown[] = [];
    for (const live of hidden) {
      const ack = await mod.join(live.uuid);
      addresses.push(ack.room.xmppAddress);
      assert.equal((await mod.send(`secret words in ${live.uuid}`, ack.room.id)).ok, true);
    }
    // A public live beside them is bridged: the bridge is up and had every chance to create the others.
    const { room } = await bridgedLive('Public beside private');
    const features = await roomFeatures(prosody, room);
    for (const feature of ['muc_moderated', 'muc_semianonymous', 'muc_hidden', 'muc_temporary']) {
      assert.ok(features.includes(feature), `the bridged room is configured: ${feature} (${features.join(' ')})`);
    }
    await sleep(1_000);
    for (const live of hidden) {
      assert.equal(await roomExists(prosody, `live-${live.uuid}@${prosody.mucDomain}`), false, `no MUC room for ${live.uuid}`);
    }
    assert.deepEqual(addresses, [null, null, null], 'no XMPP address is offered for a protected live');
  });

  it('an XMPP message to a registered-only room is refused, its author is told, and no web client sees it', async () => {
    const { mod, viewer, room, roomId } = await bridgedLive('Registered only live');
    const user = await xmppUser('xreg');
    await user.join(room, 'xreg');
    await user.say(room, 'open room, fine');
    await viewer.waitForEvent('message', (message) => message.text === 'open room, fine');
    assert.equal((await mod.emit('settings', { roomId, mode: 'registered' })).ok, true);
    await sleep(1_100); // the room's settings are cached for a second in each process
    await user.say(room, 'let me in');
    await waitFor('the refusal notice', () => notices(user).find((text) => /registered/i.test(text)));
    // A newcomer now enters the moderated MUC room without voice, and is told why.
    const late = await xmppUser('xlate2');
    await late.join(room, 'xlate2');
    await waitFor('the no-voice notice', () => notices(late).find((text) => /not post/i.test(text) && /registered/i.test(text)));
    await late.say(room, 'me too?');
    await waitFor('the MUC refusing a visitor', () => late.received.find((stanza) => stanza.name === 'message' && stanza.attrs.type === 'error'));
    await sleep(1_000);
    for (const client of [mod, viewer]) {
      assert.ok(!webTexts(client).includes('let me in'), 'the refused message never reaches the web');
      assert.ok(!webTexts(client).includes('me too?'));
    }
    assert.ok(!user.groupchat(room).some((stanza) => bodyOf(stanza) === 'me too?'), 'nor the other XMPP users');
  });

  it('a banned XMPP user who changes nick is still banned', async () => {
    const { mod, viewer, room, roomId } = await bridgedLive('Ban by JID live');
    const user = await xmppUser('xtroll');
    const observer = await xmppUser('xwatch');
    await observer.join(room, 'xwatch');
    await user.join(room, 'troll');
    await user.say(room, 'trolling from xmpp');
    const message = await mod.waitForEvent('message', (payload) => payload.text === 'trolling from xmpp');
    const errorsBefore = mucErrors(user);
    const seenBefore = user.received.length;
    assert.equal((await mod.emit('moderate', { roomId, action: 'ban', messageId: message.id })).ok, true);
    // The ban takes their voice in the MUC at once: the room itself refuses what they say next.
    await waitFor('the troll made a visitor', () => user.received.slice(seenBefore).find((stanza) => stanza.name === 'presence'
      && stanza.attrs.from === `${room}/troll` && stanza.getChild('x', NS.mucUser)?.getChild('item')?.attrs.role === 'visitor'));
    await user.say(room, 'still me');
    await waitFor('the MUC refusing the banned user', () => mucErrors(user) > errorsBefore);
    // A nick change in the same room (XEP-0045 §7.6): a new presence to room/newnick.
    await user.join(room, 'innocent');
    await user.say(room, 'a new me');
    await waitFor('the refusal under the new nick', () => mucErrors(user) > errorsBefore + 1);
    // Rejoining does not give voice back to a banned JID.
    await user.send(xml('presence', { to: `${room}/innocent`, type: 'unavailable' }));
    await sleep(500);
    await user.join(room, 'fresh-start');
    await waitFor('the no-voice notice', () => notices(user).find((text) => /not post/i.test(text) && /banned/i.test(text)));
    await user.say(room, 'third try');
    await sleep(1_500);
    for (const client of [mod, viewer]) {
      assert.ok(!webTexts(client).includes('still me'));
      assert.ok(!webTexts(client).includes('a new me'), 'the new nick does not get around the ban');
      assert.ok(!webTexts(client).includes('third try'));
    }
    for (const text of ['still me', 'a new me', 'third try']) {
      assert.ok(!observer.groupchat(room).some((stanza) => bodyOf(stanza) === text), `other XMPP users do not see "${text}" either`);
    }
  });

  it('a live made private stops being bridged, both ways', async () => {
    const { live, mod, viewer, room } = await bridgedLive('Soon private live');
    const user = await xmppUser('xlate');
    await user.join(room, 'xlate');
    assert.equal((await admin.put(`/api/v1/videos/${live.uuid}`, { privacy: 3 })).status, 204);
    await sleep(1_100); // the room is cached for a second in each process
    assert.equal((await mod.send('now private')).ok, true);
    await user.say(room, 'anyone there?');
    const destroyed = await waitFor('the MUC room destroyed', () => user.received.find((stanza) => stanza.name === 'presence'
      && stanza.attrs.type === 'unavailable' && stanza.getChild('x', NS.mucUser)?.getChild('destroy')));
    assert.match(destroyed.getChild('x', NS.mucUser)!.getChild('destroy')!.getChildText('reason') ?? '', /no longer public/);
    await sleep(2_000);
    assert.ok(!user.groupchat(room).some((stanza) => bodyOf(stanza) === 'now private'), 'a web message of a private live stays on the web');
    for (const client of [mod, viewer]) assert.ok(!webTexts(client).includes('anyone there?'), 'an XMPP message no longer reaches the web');
  });
});
