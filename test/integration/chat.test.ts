// The live chat over the real socket.io namespace /chat, against the real server and Postgres:
// rooms and history, moderation (delete, ban, timeout, clear, slow mode, forbidden words,
// registered-only and followers-only), access to protected lives, and hostile input.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { connectChat, type ChatClient } from '../helpers/chat.ts';
import { sleep, waitFor } from '../helpers/wait.ts';

let server: TestServer;
let admin: ApiClient;
const clients: ChatClient[] = [];

async function userClient(name: string): Promise<ApiClient> {
  const created = await admin.post('/api/v1/users', { username: name, password: `${name}-password`, email: `${name}@example.org`, role: 2 });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const api = new ApiClient(server.baseUrl);
  assert.equal((await api.login(name, `${name}-password`)).status, 200);
  return api;
}

async function chatter(options: { token?: string; anonId?: string } = {}): Promise<ChatClient> {
  const client = await connectChat(server.baseUrl, options);
  clients.push(client);
  return client;
}

const anonId = (tag: string) => `anon-${tag}-`.padEnd(24, 'x');
const texts = (client: ChatClient) => client.events.filter((entry) => entry.event === 'message').map((entry) => entry.payload.text);

before(async () => {
  server = await createTestServer({ CHAT_FLOOD_MESSAGES: '5', CHAT_FLOOD_SECONDS: '5', CHAT_HISTORY_SIZE: '20' });
  await server.start();
  admin = await ApiClient.asAdmin(server.baseUrl);
});

after(async () => {
  for (const client of clients) client.close();
  await server?.destroy();
});

describe('chat rooms', () => {
  test('two viewers chat in a live room; a newcomer gets the history; nicks and colours are stable', async () => {
    const live = await admin.createLive({ name: 'Chat room live' });
    const alice = await userClient('alice');
    const aliceChat = await chatter({ token: alice.token });
    const viewer = await chatter({ anonId: anonId('one') });
    const aliceJoin = await aliceChat.join(live.uuid);
    const viewerJoin = await viewer.join(live.shortUUID);
    assert.equal(aliceJoin.room.id, viewerJoin.room.id, 'one room per live, whatever the video reference');
    assert.equal(aliceJoin.me.nick, 'alice');
    assert.equal(aliceJoin.me.moderator, false);
    assert.match(viewerJoin.me.nick, /^[A-Z][a-z]+[A-Z][a-z]+\d+$/, 'anonymous viewers get a generated nick');

    const sent = await aliceChat.send('hello everyone');
    assert.equal(sent.ok, true, JSON.stringify(sent));
    const received = await viewer.waitForEvent('message', (message) => message.text === 'hello everyone');
    assert.equal(received.author.nick, 'alice');
    assert.equal(received.author.account, 'alice');
    assert.equal(received.author.anonymous, false);
    assert.equal(received.author.color, aliceJoin.me.color);
    assert.equal((await viewer.send('hi alice')).ok, true);
    await aliceChat.waitForEvent('message', (message) => message.text === 'hi alice' && message.author.nick === viewerJoin.me.nick);

    // The same browser (anonId) comes back with the same nick and colour.
    viewer.close();
    const again = await chatter({ anonId: anonId('one') });
    const againJoin = await again.join(live.id);
    assert.equal(againJoin.me.nick, viewerJoin.me.nick);
    assert.equal(againJoin.me.color, viewerJoin.me.color);
    assert.deepEqual(againJoin.history.map((message: { text: string }) => message.text), ['hello everyone', 'hi alice']);
    const rest = await new ApiClient(server.baseUrl).get(`/api/v1/videos/${live.uuid}/chat`);
    assert.equal(rest.status, 200);
    assert.deepEqual(rest.body.history.map((message: { text: string }) => message.text), ['hello everyone', 'hi alice']);
  });

  test('a video that is not a live has no chat room, and an unknown video is refused', async () => {
    const viewer = await chatter();
    const unknown = await viewer.emit('join', { videoId: '00000000-0000-4000-8000-000000000000' });
    assert.equal(unknown.ok, false);
    assert.equal(unknown.error?.code, 'not_found');
    const notJoined = await viewer.emit('send', { roomId: 1, text: 'hi' });
    assert.equal(notJoined.error?.code, 'not_joined');
  });

  test('an invalid token is refused at connection; a password-protected live needs its password', async () => {
    await assert.rejects(connectChat(server.baseUrl, { token: 'not-a-token' }), /invalid_token/);
    const live = await admin.createLive({ name: 'Secret chat', privacy: 5, videoPasswords: ['open-sesame'] });
    const viewer = await chatter();
    assert.equal((await viewer.emit('join', { videoId: live.uuid })).error?.code, 'video_requires_password');
    assert.equal((await viewer.emit('join', { videoId: live.uuid, password: 'wrong-one' })).error?.code, 'incorrect_video_password');
    assert.equal((await viewer.emit('join', { videoId: live.uuid, password: 'open-sesame' })).ok, true);
    assert.equal((await new ApiClient(server.baseUrl).get(`/api/v1/videos/${live.uuid}/chat`)).status, 403);
  });
});

describe('rooms per channel and instance settings', () => {
  test('permanent lives with chatRoom "channel" share the channel\'s room; other lives cannot ask for it', async () => {
    const first = await admin.createLive({ name: 'Morning show', permanentLive: true, chatRoom: 'channel' });
    const second = await admin.createLive({ name: 'Evening show', permanentLive: true, chatRoom: 'channel' });
    const own = await admin.createLive({ name: 'Own room', permanentLive: true });
    assert.equal((await admin.get(`/api/v1/videos/live/${first.id}`)).body.chatRoom, 'channel');
    const viewer = await chatter({ anonId: anonId('channel') });
    const [a, b, c] = [await viewer.join(first.uuid), await viewer.join(second.uuid), await viewer.join(own.uuid)];
    assert.equal(a.room.id, b.room.id, 'one room for the channel');
    assert.notEqual(a.room.id, c.room.id);
    const me = await admin.get('/api/v1/users/me');
    const refused = await admin.post('/api/v1/videos/live', { channelId: me.body.videoChannels[0].id, name: 'Not permanent', chatRoom: 'channel' });
    assert.equal(refused.status, 400);
    assert.equal((await admin.put(`/api/v1/videos/live/${own.id}`, { chatRoom: 'channel' })).status, 204);
    assert.equal((await admin.put(`/api/v1/videos/live/${own.id}`, { permanentLive: false })).status, 400,
      'a live sharing the channel room must stay permanent');
  });

  test('the admin can switch anonymous chat off: anonymous viewers read but cannot post', async () => {
    const closed = await createTestServer({ CHAT_ALLOW_ANONYMOUS: 'false' });
    try {
      await closed.start();
      const closedAdmin = await ApiClient.asAdmin(closed.baseUrl);
      const live = await closedAdmin.createLive({ name: 'Members only' });
      const anonymous = await connectChat(closed.baseUrl, { anonId: anonId('closed') });
      const member = await connectChat(closed.baseUrl, { token: closedAdmin.token });
      clients.push(anonymous, member);
      const joined = await anonymous.join(live.uuid);
      assert.equal(joined.me.canPost, false);
      assert.equal((await anonymous.send('let me in')).error?.code, 'anonymous_disabled');
      await member.join(live.uuid);
      assert.equal((await member.send('members talk')).ok, true);
      await anonymous.waitForEvent('message', (message) => message.text === 'members talk');
    } finally {
      await closed.destroy();
    }
  });
});

describe('moderation', () => {
  test('only moderators delete others\' messages; a deletion reaches everyone and leaves the history', async () => {
    const live = await admin.createLive({ name: 'Moderated live' });
    const bob = await userClient('bob');
    const mod = await chatter({ token: admin.token });
    const bobChat = await chatter({ token: bob.token });
    const viewer = await chatter({ anonId: anonId('two') });
    assert.equal((await mod.join(live.uuid)).me.moderator, true, 'the owner (admin) moderates');
    await bobChat.join(live.uuid);
    await viewer.join(live.uuid);
    const { message } = await bobChat.send('a rude message');
    assert.equal((await viewer.emit('delete', { roomId: message.roomId, messageId: message.id })).error?.code, 'forbidden');
    assert.equal((await mod.emit('delete', { roomId: message.roomId, messageId: message.id })).ok, true);
    for (const client of [viewer, bobChat]) {
      await client.waitForEvent('deleted', (payload) => payload.messageIds.includes(message.id));
    }
    const rest = await admin.get(`/api/v1/videos/${live.uuid}/chat`);
    assert.ok(!rest.body.history.some((entry: { id: number }) => entry.id === message.id));
    const { message: own } = await bobChat.send('oops, my own typo');
    assert.equal((await bobChat.emit('delete', { roomId: own.roomId, messageId: own.id })).ok, true, 'authors delete their own');
    const log = await admin.get(`/api/v1/videos/${live.uuid}/chat/moderation-log`);
    assert.equal(log.status, 200);
    assert.equal(log.body.data[0].action, 'delete');
    assert.equal(log.body.data[0].target, 'bob');
    assert.equal((await bob.get(`/api/v1/videos/${live.uuid}/chat/moderation-log`)).status, 403);
  });

  test('a ban holds across reconnections and other lives of the channel; a timeout says how long; unban lifts it', async () => {
    const live = await admin.createLive({ name: 'Ban live' });
    const other = await admin.createLive({ name: 'Other live of the channel' });
    const carol = await userClient('carol');
    const mod = await chatter({ token: admin.token });
    await mod.join(live.uuid);
    let carolChat = await chatter({ token: carol.token });
    await carolChat.join(live.uuid);
    const { message } = await carolChat.send('spam spam');
    assert.equal((await mod.emit('moderate', { roomId: message.roomId, action: 'ban', messageId: message.id, reason: 'spam' })).ok, true);
    const notice = await carolChat.waitForEvent('moderated');
    assert.equal(notice.action, 'ban');
    carolChat.close();
    carolChat = await chatter({ token: carol.token });
    const rejoined = await carolChat.join(live.uuid);
    assert.equal(rejoined.me.canPost, false);
    assert.equal((await carolChat.send('I am back')).error?.code, 'banned');
    const otherRoom = (await carolChat.join(other.uuid)).room.id;
    assert.equal((await carolChat.send('elsewhere', otherRoom)).error?.code, 'banned', 'a ban holds in every room of the channel');
    assert.ok(!texts(mod).includes('I am back'));

    assert.equal((await mod.emit('moderate', { roomId: message.roomId, action: 'unban', account: 'carol' })).ok, true);
    assert.equal((await carolChat.send('thanks', message.roomId)).ok, true);
    assert.equal((await mod.emit('moderate', { roomId: message.roomId, action: 'timeout', account: 'carol', durationSeconds: 60 })).ok, true);
    const timedOut = await carolChat.send('still here', message.roomId);
    assert.equal(timedOut.error?.code, 'timed_out');
    assert.ok(timedOut.error!.retryAfterSeconds! > 50 && timedOut.error!.retryAfterSeconds! <= 60);
    assert.equal((await mod.emit('moderate', { roomId: message.roomId, action: 'ban', account: 'root' })).error?.code, 'invalid',
      'a moderator cannot ban themselves');
    // carol's timeout also holds her address (every client here shares 127.0.0.1): lift it for the tests that follow.
    assert.equal((await mod.emit('moderate', { roomId: message.roomId, action: 'unban', account: 'carol' })).ok, true);
  });

  test('an anonymous viewer is banned by IP: a new anonId does not get around it', async () => {
    const live = await admin.createLive({ name: 'Anonymous ban live' });
    const mod = await chatter({ token: admin.token });
    await mod.join(live.uuid);
    const troll = await chatter({ anonId: anonId('troll') });
    await troll.join(live.uuid);
    const { message } = await troll.send('trolling');
    assert.equal((await mod.emit('moderate', { roomId: message.roomId, action: 'ban', messageId: message.id })).ok, true);
    const disguised = await chatter({ anonId: anonId('disguise') });
    await disguised.join(live.uuid);
    assert.equal((await disguised.send('new me')).error?.code, 'banned');
    const dave = await userClient('dave');
    const daveChat = await chatter({ token: dave.token });
    await daveChat.join(live.uuid);
    assert.equal((await daveChat.send('accounts from the same address still chat')).ok, true);
    assert.equal((await mod.emit('moderate', { roomId: message.roomId, action: 'unban', messageId: message.id })).ok, true);
  });

  test('slow mode (moderators exempt), anti-flood, forbidden words, and clearing the chat', async () => {
    const live = await admin.createLive({ name: 'Slow live' });
    const mod = await chatter({ token: admin.token });
    const { room } = await mod.join(live.uuid);
    const viewer = await chatter({ anonId: anonId('slow') });
    await viewer.join(live.uuid);
    const set = await mod.emit('settings', { roomId: room.id, slowModeSeconds: 30, forbiddenWords: ['Badword', 'two words'] });
    assert.equal(set.ok, true);
    assert.deepEqual(set.settings, { slowModeSeconds: 30, mode: 'open', forbiddenWords: ['badword', 'two words'] });
    assert.equal((await viewer.waitForEvent('settings')).settings.slowModeSeconds, 30);
    assert.equal((await viewer.emit('settings', { roomId: room.id, slowModeSeconds: 0 })).error?.code, 'forbidden');
    assert.equal((await viewer.send('first')).ok, true);
    const second = await viewer.send('second');
    assert.equal(second.error?.code, 'slow_mode');
    assert.ok(second.error!.retryAfterSeconds! > 25);
    assert.equal((await mod.send('moderators are exempt')).ok, true);
    assert.equal((await mod.send('twice in a row')).ok, true);
    assert.equal((await mod.emit('settings', { roomId: room.id, slowModeSeconds: 0 })).ok, true);
    assert.equal((await viewer.send('this has a BADWORD in it')).error?.code, 'forbidden_word');
    assert.equal((await viewer.send('this has two  words in it')).error?.code, 'forbidden_word');
    assert.equal((await viewer.send('badwords is a different word')).ok, true);

    const results = [];
    for (let index = 0; index < 8; index++) results.push(await viewer.send(`flood ${index}`));
    assert.ok(results.some((result) => result.error?.code === 'rate_limited'), 'a flood is cut short');
    assert.ok(results.filter((result) => result.ok).length <= 5);

    assert.equal((await mod.emit('moderate', { roomId: room.id, action: 'clear' })).ok, true);
    await viewer.waitForEvent('cleared');
    assert.deepEqual((await admin.get(`/api/v1/videos/${live.uuid}/chat`)).body.history, []);
  });

  test('registered-only and followers-only rooms; channel chat moderators', async () => {
    const live = await admin.createLive({ name: 'Followers live' });
    const mod = await chatter({ token: admin.token });
    const { room } = await mod.join(live.uuid);
    const erin = await userClient('erin');
    const frank = await userClient('frank');
    const anonymous = await chatter({ anonId: anonId('reg') });
    await anonymous.join(live.uuid);
    const erinChat = await chatter({ token: erin.token });
    await erinChat.join(live.uuid);
    assert.equal((await admin.put(`/api/v1/videos/${live.uuid}/chat/settings`, { mode: 'registered' })).status, 200);
    assert.equal((await anonymous.send('can I?')).error?.code, 'registered_only');
    assert.equal((await erinChat.send('I can')).ok, true);
    assert.equal((await admin.put(`/api/v1/videos/${live.uuid}/chat/settings`, { mode: 'followers' })).status, 200);
    await sleep(1100); // the room's settings are cached for a second in each process
    assert.equal((await erinChat.send('and now?')).error?.code, 'followers_only');
    const me = await admin.get('/api/v1/users/me');
    const channelName = me.body.videoChannels[0].name;
    assert.equal((await erin.post('/api/v1/users/me/subscriptions', { uri: channelName })).status, 204);
    assert.equal((await erinChat.send('a follower now')).ok, true);

    // frank becomes a chat moderator of the channel: he may delete and change settings.
    assert.equal((await frank.put(`/api/v1/video-channels/${channelName}/chat-moderators/frank`)).status, 403);
    assert.equal((await admin.put(`/api/v1/video-channels/${channelName}/chat-moderators/frank`)).status, 204);
    assert.deepEqual((await admin.get(`/api/v1/video-channels/${channelName}/chat-moderators`)).body.data, [{ account: 'frank' }]);
    const frankChat = await chatter({ token: frank.token });
    assert.equal((await frankChat.join(live.uuid)).me.moderator, true);
    assert.equal((await frankChat.emit('settings', { roomId: room.id, mode: 'open' })).ok, true);
  });
});

describe('hostile input', () => {
  test('markup is kept as inert text, controls are stripped, long and empty messages are refused', async () => {
    const live = await admin.createLive({ name: 'Hostile live' });
    const viewer = await chatter({ anonId: anonId('hostile') });
    await viewer.join(live.uuid);
    const markup = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
    const sent = await viewer.send(`${markup}\u202e\u0007`);
    assert.equal(sent.ok, true);
    assert.equal(sent.message.text, markup, 'stored and sent as the plain text typed, minus bidi overrides and controls');
    assert.equal((await viewer.send('x'.repeat(501))).error?.code, 'too_long');
    assert.equal((await viewer.send(' \n\t ')).error?.code, 'empty');
    assert.equal((await viewer.emit('send', { roomId: sent.message.roomId, text: { toString: 1 } })).error?.code, 'invalid');
  });

  test('a flood, an oversized frame and a reconnect storm in one room leave another room served and no message lost', async () => {
    const busy = await admin.createLive({ name: 'Stormy live' });
    const quiet = await admin.createLive({ name: 'Quiet live' });
    const quietA = await chatter({ anonId: anonId('quiet-a') });
    const quietB = await chatter({ anonId: anonId('quiet-b') });
    await quietA.join(quiet.uuid);
    await quietB.join(quiet.uuid);
    assert.equal((await quietA.send('before the storm')).ok, true);

    // A reconnect storm: 150 connections that join and drop at once.
    const storm = Array.from({ length: 150 }, async (_, index) => {
      const socket = io(`${server.baseUrl}/chat`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { anonId: anonId(`storm${index}`) } });
      await new Promise<void>((resolve) => { socket.once('connect', () => resolve()); socket.once('connect_error', () => resolve()); });
      await socket.timeout(10_000).emitWithAck('join', { videoId: busy.uuid }).catch(() => undefined);
      socket.close();
    });
    // A flooder sends as fast as it can, and an oversized frame (over maxHttpBufferSize) drops its sender.
    const flooder = await chatter({ anonId: anonId('flooder') });
    await flooder.join(busy.uuid);
    const flood = Promise.all(Array.from({ length: 200 }, (_, index) => flooder.send(`flood ${index}`).catch(() => ({ ok: false }))));
    const giant = await chatter({ anonId: anonId('giant') });
    await giant.join(busy.uuid);
    giant.socket.emit('send', { roomId: 1, text: 'y'.repeat(200_000) });

    const started = Date.now();
    assert.equal((await quietB.send('during the storm')).ok, true);
    await quietA.waitForEvent('message', (message) => message.text === 'during the storm');
    const quietLatency = Date.now() - started;
    await Promise.all(storm);
    const floodResults = await flood;
    assert.ok(floodResults.filter((result) => result.ok).length <= 5, 'the flood was limited');
    await waitFor('the oversized sender to be dropped', () => giant.socket.disconnected, { timeoutMs: 10_000 });
    assert.ok(quietLatency < 5000, `the quiet room kept working during the storm (${quietLatency} ms)`);

    const history = (await admin.get(`/api/v1/videos/${quiet.uuid}/chat`)).body.history.map((message: { text: string }) => message.text);
    assert.deepEqual(history, ['before the storm', 'during the storm'], 'nothing stored was lost');
    const busyHistory = (await admin.get(`/api/v1/videos/${busy.uuid}/chat`)).body.history;
    assert.equal(busyHistory.length, floodResults.filter((result) => result.ok).length, 'every accepted flood message is stored');
  });
});
