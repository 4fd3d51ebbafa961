// Issue 9, defect 4: an unlisted video is reachable by its uuid or shortUUID only, as on PeerTube.
// Asked for by numeric id (which anyone can count through), every path answers as for a video that
// does not exist, for anyone but its owner and admins: the REST routes that take an id, and the
// chat `join` and /live-videos `subscribe` sockets.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { io, type Socket } from 'socket.io-client';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';

describe('unlisted videos by numeric id', () => {
  let server: TestServer;
  let admin: ApiClient;
  let other: ApiClient;
  let anonymous: ApiClient;
  let live: { id: number; uuid: string; shortUUID: string };
  const sockets: Socket[] = [];

  before(async () => {
    server = await createTestServer();
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
    assert.equal((await admin.post('/api/v1/users', { username: 'other', password: 'other-password', email: 'other@example.org', role: 2 })).status, 200);
    other = new ApiClient(server.baseUrl);
    assert.equal((await other.login('other', 'other-password')).status, 200);
    anonymous = new ApiClient(server.baseUrl);
    live = await admin.createLive({ privacy: 2 });
  });

  after(async () => {
    for (const socket of sockets) socket.close();
    await server?.destroy();
  });

  /** Each path, by method and a function of the reference; the status expected by uuid (the video is found). */
  const PATHS: Array<{ method: string; path: (ref: string | number) => string; found: number; body?: unknown }> = [
    { method: 'GET', path: (ref) => `/api/v1/videos/${ref}`, found: 200 },
    { method: 'POST', path: (ref) => `/api/v1/videos/${ref}/token`, found: 200 },
    { method: 'GET', path: (ref) => `/api/v1/videos/${ref}/chapters`, found: 200 },
    { method: 'GET', path: (ref) => `/api/v1/videos/${ref}/storyboards`, found: 200 },
    { method: 'GET', path: (ref) => `/api/v1/videos/${ref}/comment-threads`, found: 200 },
    { method: 'GET', path: (ref) => `/api/v1/videos/${ref}/comment-threads/1`, found: 404 },
    { method: 'POST', path: (ref) => `/api/v1/videos/${ref}/views`, found: 204 },
    { method: 'GET', path: (ref) => `/api/v1/videos/live/${ref}`, found: 200 },
    { method: 'GET', path: (ref) => `/api/v1/videos/${ref}/chat`, found: 200 },
    { method: 'GET', path: (ref) => `/api/v1/videos/${ref}/chat/replay`, found: 200 },
  ];

  for (const { method, path, found } of PATHS) {
    it(`${method} ${path('{id}')}: 404 by id for others, found by uuid and shortUUID`, async () => {
      for (const [who, client] of [['anonymous', anonymous], ['another user', other]] as const) {
        const byId = await client.request(method, path(live.id));
        assert.equal(byId.status, 404, `${who} by id: ${JSON.stringify(byId.body)}`);
        assert.equal(byId.body.code, 'not_found');
        assert.doesNotMatch(JSON.stringify(byId.body), new RegExp(live.uuid), 'nothing of the video leaks');
        assert.equal((await client.request(method, path(live.uuid))).status, found, `${who} by uuid`);
        assert.equal((await client.request(method, path(live.shortUUID))).status, found, `${who} by shortUUID`);
      }
      assert.equal((await admin.request(method, path(live.id))).status, found, 'the owner (an admin) by id');
    });
  }

  it('posting a comment by id: 404', async () => {
    assert.equal((await other.post(`/api/v1/videos/${live.id}/comment-threads`, { text: 'hello' })).status, 404);
    assert.equal((await other.post(`/api/v1/videos/${live.uuid}/comment-threads`, { text: 'hello' })).status, 200);
  });

  it('WHEP by id: not found (by uuid: found, not live)', async () => {
    const offer = async (ref: string | number) => {
      const response = await fetch(`${server.baseUrl}/api/v1/videos/${ref}/whep`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: 'v=0\r\n' });
      return ((await response.json()) as { code: string }).code;
    };
    assert.equal(await offer(live.id), 'not_found');
    assert.notEqual(await offer(live.uuid), 'not_found');
  });

  async function connect(namespace: string): Promise<Socket> {
    const socket = io(`${server.baseUrl}${namespace}`, { transports: ['websocket'], forceNew: true, reconnection: false });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => { socket.once('connect', () => resolve()); socket.once('connect_error', reject); });
    return socket;
  }
  const ack = (socket: Socket, event: string, payload: unknown) => socket.timeout(10_000).emitWithAck(event, payload) as Promise<any>;

  it('chat join by id: not_found; by uuid: joined', async () => {
    const socket = await connect('/chat');
    const byId = await ack(socket, 'join', { videoId: live.id });
    assert.equal(byId.ok, false);
    assert.equal(byId.error.code, 'not_found');
    assert.equal((await ack(socket, 'join', { videoId: String(live.id) })).error.code, 'not_found');
    assert.equal((await ack(socket, 'join', { videoId: live.uuid })).ok, true);
  });

  it('/live-videos subscribe by id: not_found; by uuid: followed', async () => {
    const socket = await connect('/live-videos');
    assert.deepEqual(await ack(socket, 'subscribe', { videoId: live.id }), { ok: false, error: 'not_found' });
    const byUuid = await ack(socket, 'subscribe', { videoId: live.uuid });
    assert.equal(byUuid.ok, true);
    assert.equal(byUuid.videoId, live.id, 'the events that follow name the numeric id');
  });

  it('public videos are still found by numeric id', async () => {
    const open = await admin.createLive({ privacy: 1 });
    assert.equal((await anonymous.get(`/api/v1/videos/${open.id}`)).status, 200);
    const socket = await connect('/live-videos');
    assert.equal((await ack(socket, 'subscribe', { videoId: open.id })).ok, true);
  });
});
