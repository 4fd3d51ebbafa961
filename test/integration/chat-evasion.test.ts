// Getting around the chat's moderation by changing what the client controls: logging out after an
// account ban, or reconnecting with a new anonId to reset slow mode and the anti-flood. Real server,
// real socket.io clients; every client here comes from 127.0.0.1, as one person would.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { connectChat, type ChatClient } from '../helpers/chat.ts';

let server: TestServer;
let admin: ApiClient;
const clients: ChatClient[] = [];

async function chatter(options: { token?: string; anonId?: string } = {}): Promise<ChatClient> {
  const client = await connectChat(server.baseUrl, options);
  clients.push(client);
  return client;
}

const anonId = (tag: string) => `evasion-${tag}-`.padEnd(24, 'x');

before(async () => {
  server = await createTestServer({ CHAT_FLOOD_MESSAGES: '3', CHAT_FLOOD_SECONDS: '30' });
  await server.start();
  admin = await ApiClient.asAdmin(server.baseUrl);
});

after(async () => {
  for (const client of clients) client.close();
  await server?.destroy();
});

describe('moderation cannot be reset from the client', () => {
  test('a banned account that logs out and comes back anonymously from the same address is still banned', async () => {
    const live = await admin.createLive({ name: 'Account ban live' });
    const created = await admin.post('/api/v1/users', { username: 'gina', password: 'gina-password', email: 'gina@example.org', role: 2 });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const gina = new ApiClient(server.baseUrl);
    assert.equal((await gina.login('gina', 'gina-password')).status, 200);
    const mod = await chatter({ token: admin.token });
    await mod.join(live.uuid);
    const ginaChat = await chatter({ token: gina.token });
    const { room } = await ginaChat.join(live.uuid);
    assert.equal((await ginaChat.send('hello as gina')).ok, true);
    assert.equal((await mod.emit('moderate', { roomId: room.id, action: 'ban', account: 'gina', reason: 'spam' })).ok, true);
    assert.equal((await ginaChat.send('still gina')).error?.code, 'banned');
    ginaChat.close();

    const anonymous = await chatter({ anonId: anonId('gina-anon') });
    const joined = await anonymous.join(live.uuid);
    assert.equal(joined.me.canPost, false, 'the ban covers the address the account was seen from');
    assert.equal((await anonymous.send('I am someone else')).error?.code, 'banned');

    assert.equal((await mod.emit('moderate', { roomId: room.id, action: 'unban', account: 'gina' })).ok, true);
    assert.equal((await anonymous.send('free again')).ok, true, 'lifting the account ban lifts its address too');
  });

  test('slow mode survives a reconnect with a new anonId', async () => {
    const live = await admin.createLive({ name: 'Slow evasion live' });
    const mod = await chatter({ token: admin.token });
    const { room } = await mod.join(live.uuid);
    assert.equal((await mod.emit('settings', { roomId: room.id, slowModeSeconds: 60 })).ok, true);
    const first = await chatter({ anonId: anonId('slow-1') });
    await first.join(live.uuid);
    assert.equal((await first.send('one message a minute')).ok, true);
    first.close();
    const second = await chatter({ anonId: anonId('slow-2') });
    await second.join(live.uuid);
    const refused = await second.send('a new me, a new minute?');
    assert.equal(refused.error?.code, 'slow_mode');
    assert.ok(refused.error!.retryAfterSeconds! > 50);
  });

  test('the anti-flood survives a reconnect with a new anonId', async () => {
    const live = await admin.createLive({ name: 'Flood evasion live' });
    const first = await chatter({ anonId: anonId('flood-1') });
    await first.join(live.uuid);
    for (let index = 0; index < 3; index++) assert.equal((await first.send(`flood ${index}`)).ok, true);
    assert.equal((await first.send('flood 3')).error?.code, 'rate_limited');
    first.close();
    const second = await chatter({ anonId: anonId('flood-2') });
    await second.join(live.uuid);
    assert.equal((await second.send('flood 4')).error?.code, 'rate_limited');
  });
});
