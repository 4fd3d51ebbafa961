// Issue 9, defect 4: an unlisted video is reachable by its uuid or shortUUID only, as on PeerTube.
// Asked for by numeric id (which anyone can count through), every path answers as for a video that
// does not exist, for anyone but its owner and admins: the REST routes that take an id, and the
// chat `join` and /live-videos `subscribe` sockets. The REST routes are tested in-process, in
// route-rules.test.ts; the sockets, which need a listening server, here.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { io, type Socket } from 'socket.io-client';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';

describe('unlisted videos by numeric id', () => {
  let server: TestServer;
  let admin: ApiClient;
  let anonymous: ApiClient;
  let live: { id: number; uuid: string; shortUUID: string };
  const sockets: Socket[] = [];

  before(async () => {
    server = await createTestServer();
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
    anonymous = new ApiClient(server.baseUrl);
    live = await admin.createLive({ privacy: 2 });
  });

  after(async () => {
    for (const socket of sockets) socket.close();
    await server?.destroy();
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
