// Two server processes on one database: they share chat rooms (socket.io's postgres adapter carries
// the events between them, bans live in the database both read), and a process that starts leaves
// the lives the other one is streaming alone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { connectChat, type ChatClient } from '../helpers/chat.ts';
import { publish, type Publisher } from '../helpers/publisher.ts';
import { waitFor } from '../helpers/wait.ts';

let first: TestServer;
let second: TestServer;
const clients: ChatClient[] = [];
let publisher: Publisher | undefined;
let onAir: { id: number; streamKey: string };

before(async () => {
  first = await createTestServer();
  await first.start();
  // A live streams on the first process when the second one starts.
  const admin = await ApiClient.asAdmin(first.baseUrl);
  onAir = await admin.createLive({ name: 'Streaming on process one' });
  publisher = publish(`rtmp://127.0.0.1:${first.rtmpPort}/live/${onAir.streamKey}`, { width: 640, height: 360, seconds: 120 });
  await waitFor('published', async () => (await admin.get(`/api/v1/videos/${onAir.id}`)).body.state.id === 1, { timeoutMs: 30_000 });
  second = await createTestServer({ DATABASE_URL: first.databaseUrl });
  await second.start();
});

after(async () => {
  await publisher?.stop();
  for (const client of clients) client.close();
  await second?.destroy();
  await first?.destroy();
});

test('viewers connected to two server processes share one room: messages, deletions and bans cross over', async () => {
  const admin = await ApiClient.asAdmin(first.baseUrl);
  const live = await admin.createLive({ name: 'Clustered chat' });
  const onFirst = await connectChat(first.baseUrl, { anonId: 'viewer-on-the-first-node' });
  const onSecond = await connectChat(second.baseUrl, { anonId: 'viewer-on-the-second-node' });
  const moderator = await connectChat(second.baseUrl, { token: admin.token });
  clients.push(onFirst, onSecond, moderator);
  const [joinedFirst, joinedSecond] = [await onFirst.join(live.uuid), await onSecond.join(live.uuid)];
  await moderator.join(live.uuid);
  assert.equal(joinedFirst.room.id, joinedSecond.room.id);

  const fromFirst = await onFirst.send('hello from process one');
  assert.equal(fromFirst.ok, true);
  const seen = await onSecond.waitForEvent('message', (message) => message.text === 'hello from process one');
  assert.equal(seen.id, fromFirst.message.id);
  assert.equal((await onSecond.send('hello from process two')).ok, true);
  await onFirst.waitForEvent('message', (message) => message.text === 'hello from process two');

  // A moderator on process two deletes the message said on process one; the ban they place holds there too.
  assert.equal((await moderator.emit('delete', { roomId: fromFirst.message.roomId, messageId: fromFirst.message.id })).ok, true);
  await onFirst.waitForEvent('deleted', (payload) => payload.messageIds.includes(fromFirst.message.id));
  const ban = await moderator.emit('moderate', { roomId: fromFirst.message.roomId, action: 'timeout', messageId: fromFirst.message.id, durationSeconds: 120 });
  assert.equal(ban.ok, true);
  await onFirst.waitForEvent('moderated', (payload) => payload.action === 'timeout');
  assert.equal((await onFirst.send('am I still here?')).error?.code, 'timed_out');

  // Each message was delivered once to each client.
  const count = (client: ChatClient, text: string) => client.events.filter((entry) => entry.event === 'message' && entry.payload.text === text).length;
  assert.equal(count(onFirst, 'hello from process two'), 1);
  assert.equal(count(onSecond, 'hello from process one'), 1);
  assert.equal(count(moderator, 'hello from process one'), 1);
});

test('a process that starts leaves the lives of the other on air, and refuses a second publisher of one of them', async () => {
  const admin = await ApiClient.asAdmin(second.baseUrl);
  assert.equal((await admin.get(`/api/v1/videos/${onAir.id}`)).body.state.id, 1, 'still published after the second process started');
  assert.doesNotMatch(second.output(), /was streaming when the server stopped/);
  const intruder = publish(`rtmp://127.0.0.1:${second.rtmpPort}/live/${onAir.streamKey}`, { width: 320, height: 180, seconds: 20 });
  try {
    await waitFor('the refusal', () => /already has a publisher \(on another server process\)/.test(second.output()), { timeoutMs: 20_000 });
  } finally {
    await intruder.stop();
  }
  assert.equal((await admin.get(`/api/v1/videos/${onAir.id}`)).body.state.id, 1);
  assert.equal(publisher!.process.exitCode, null, 'the first publisher streams on');
});
