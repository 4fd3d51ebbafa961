// What the HTTP and chat fuzz surfaces (test/fuzz/surfaces/) found, each kept as a plain test: a
// client's malformed input is answered as the client's error (4xx, or a chat refusal with its
// code), never as the server's own ("Internal server error", "The server could not do that").
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { io } from 'socket.io-client';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { connectChat, type ChatClient } from '../helpers/chat.ts';
import { sleep } from '../helpers/wait.ts';

let server: TestServer;
let admin: ApiClient;
const clients: ChatClient[] = [];
const INTERNAL_CHAT = 'The server could not do that; try again';

before(async () => {
  server = await createTestServer();
  await server.start();
  admin = await ApiClient.asAdmin(server.baseUrl);
});

after(async () => {
  for (const client of clients) client.close();
  await server?.destroy();
});

describe('HTTP: malformed requests are the client\'s error', () => {
  test('a multipart upload whose body ends early is a 400, not a 500', async () => {
    const me = await admin.get('/api/v1/users/me');
    const boundary = '----fuzz815152576';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="channelId"\r\n\r\n${me.body.videoChannels[0].id}\r\n`
      + `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nfuzz upload\r\n`
      + `--${boundary}\r\nContent-Disposition: form-data; name="videofile"; filename="clip.mp4"\r\nContent-Type: video/mp4\r\n\r\nnot a video`;
    const response = await fetch(`${server.baseUrl}/api/v1/videos/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    });
    const answer = await response.json() as { code: string };
    assert.equal(response.status, 400, JSON.stringify(answer));
    assert.equal(answer.code, 'invalid_input');
  });

  test('a NUL character, which Postgres cannot store in text, is a 400, not a 500', async () => {
    const live = await admin.createLive({ name: 'NUL live' });
    const attempts: Array<[string, unknown]> = [
      [`/api/v1/videos/${live.id}/comment-threads`, { text: 'a\u0000b' }],
      ['/api/v1/users/me/subscriptions', { uri: '\u0000' }],
    ];
    for (const [path, body] of attempts) {
      const response = await admin.post(path, body);
      assert.equal(response.status, 400, `${path}: ${JSON.stringify(response.body)}`);
      assert.equal(response.body.code, 'invalid_input');
    }
  });

  test('a login with a username longer than any account is refused before the guess throttle keeps it in memory', async () => {
    const client = (await admin.get('/api/v1/oauth-clients/local')).body;
    const response = await fetch(`${server.baseUrl}/api/v1/users/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.9.9.9' },
      body: JSON.stringify({ client_id: client.client_id, client_secret: client.client_secret, grant_type: 'password', username: 'u'.repeat(200_000), password: 'p'.repeat(100_000) }),
    });
    const answer = await response.json() as { code: string };
    assert.equal(response.status, 400, JSON.stringify(answer));
    assert.equal(answer.code, 'invalid_input');
  });

  test('a client gone before a rate-limited route runs leaves no server error behind', async () => {
    const { hostname, port } = new URL(server.baseUrl);
    for (let delayMs = 0; delayMs < 20; delayMs++) {
      // The whole request, then a close: the route's hooks run with no socket (and no address) left.
      const socket = connect({ host: hostname, port: Number(port) }, () => {
        socket.end(`POST /api/v1/users/register HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${admin.token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`);
        setTimeout(() => socket.destroy(), delayMs);
      });
      socket.on('error', () => undefined);
    }
    await sleep(1000);
    assert.doesNotMatch(server.output(), /users\/register: TypeError/);
    assert.equal((await fetch(`${server.baseUrl}/api/v1/config`)).status, 200);
  });
});

describe('chat: hostile event payloads are refused with their own code', () => {
  test('ids that cannot become numbers (an object whose toString is not a function, NaN text)', async () => {
    const live = await admin.createLive({ name: 'Fuzz findings live' });
    const owner = await connectChat(server.baseUrl, { token: admin.token });
    clients.push(owner);
    const joined = await owner.join(live.id);
    const roomId = joined.room.id as number;
    const poison = { toString: { x: 1 } };
    const attempts: Array<[string, Record<string, unknown>]> = [
      ['leave', { roomId: poison }],
      ['send', { roomId: poison, text: 'hello' }],
      ['delete', { roomId, messageId: poison }],
      ['moderate', { roomId, action: 'ban', messageId: poison }],
      ['moderate', { roomId, action: 'ban', messageId: 'NaN' }],
      ['moderate', { roomId, action: 'timeout', messageId: 1, durationSeconds: poison }],
      ['settings', { roomId, mode: poison }],
      ['settings', { roomId, slowModeSeconds: poison }],
      ['join', { videoId: poison }],
    ];
    for (const [event, payload] of attempts) {
      const ack = await owner.emit(event, payload);
      assert.equal(ack.ok, false, `${event} ${JSON.stringify(payload)}`);
      assert.notEqual(ack.error?.message, INTERNAL_CHAT, `${event} ${JSON.stringify(payload)}: ${JSON.stringify(ack)}`);
    }
    assert.doesNotMatch(server.output(), /chat \w+ failed/);
  });
});

describe('/live-videos: hostile payloads', () => {
  test('an unsubscribe or subscribe with an id that cannot become a number leaves the server up (the unsubscribe ended the process)', async () => {
    const socket = io(`${server.baseUrl}/live-videos`, { transports: ['websocket'], reconnection: false });
    await new Promise((resolve) => socket.once('connect', () => resolve(undefined)));
    const poison = { toString: { x: 1 } };
    socket.emit('unsubscribe', { videoId: poison });
    const ack = await socket.timeout(5000).emitWithAck('subscribe', { videoId: poison }) as { ok: boolean; error?: string };
    socket.close();
    assert.equal(ack.ok, false);
    assert.notEqual(ack.error, 'unavailable');
    assert.equal((await fetch(`${server.baseUrl}/api/v1/config`)).status, 200);
  });

  test('a subscribe with an integer beyond any id is not found, not a database error', async () => {
    const socket = io(`${server.baseUrl}/live-videos`, { transports: ['websocket'], reconnection: false });
    await new Promise((resolve) => socket.once('connect', () => resolve(undefined)));
    for (const videoId of [2 ** 31, 2 ** 53, 1e308]) {
      const ack = await socket.timeout(5000).emitWithAck('subscribe', { videoId }) as { ok: boolean; error?: string };
      assert.equal(ack.ok, false, String(videoId));
      assert.notEqual(ack.error, 'unavailable', String(videoId));
    }
    socket.close();
  });
});
