// Restarts keep what users created, and a live cut off by a server stop ends cleanly.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { publish } from '../helpers/publisher.ts';
import { waitFor } from '../helpers/wait.ts';

describe('server restarts', () => {
  let server: TestServer;

  before(async () => {
    server = await createTestServer();
    await server.start();
  });

  after(async () => {
    await server?.destroy();
  });

  it('keeps users, lives and stream keys across a restart', async () => {
    const admin = await ApiClient.asAdmin(server.baseUrl);
    const created = await admin.post('/api/v1/users', { username: 'alice', password: 'alice-password', email: 'alice@example.org' });
    assert.equal(created.status, 200);
    const alice = new ApiClient(server.baseUrl);
    assert.equal((await alice.login('alice', 'alice-password')).status, 200);
    const live = await alice.createLive({ name: 'Alice live', permanentLive: true, saveReplay: true, replaySettings: { privacy: 2 } });

    await server.stop();
    await server.start();

    const again = new ApiClient(server.baseUrl);
    assert.equal((await again.login('alice', 'alice-password')).status, 200, 'the user and password survive');
    const settings = await again.get(`/api/v1/videos/live/${live.id}`);
    assert.equal(settings.body.streamKey, live.streamKey, 'the stream key survives');
    assert.equal(settings.body.permanentLive, true);
    assert.deepEqual(settings.body.replaySettings, { privacy: 2 });
    assert.equal(server.output().match(/Administrator account created/g), null, 'ADMIN_PASSWORD given: nothing printed');
  });

  async function streamThenStop(permanentLive: boolean, signal: 'SIGTERM' | 'SIGKILL') {
    const admin = await ApiClient.asAdmin(server.baseUrl);
    const live = await admin.createLive({ name: `cut by ${signal}`, permanentLive });
    const publisher = publish(`rtmp://127.0.0.1:${server.rtmpPort}/live/${live.streamKey}`, { width: 640, height: 360, seconds: 120 });
    await waitFor('published', async () => (await admin.get(`/api/v1/videos/${live.id}`)).body.state.id === 1, { timeoutMs: 20_000 });
    await server.stop(signal);
    await publisher.stop();
    await server.start();
    const after = await ApiClient.asAdmin(server.baseUrl);
    return { live, after };
  }

  it('ends a live that was streaming when the server crashed (SIGKILL)', async () => {
    const { live, after } = await streamThenStop(false, 'SIGKILL');
    assert.match(server.output(), /was streaming when the server stopped: marked ended/);
    assert.equal((await after.get(`/api/v1/videos/${live.id}`)).body.state.id, 5);
    const sessions = (await after.get(`/api/v1/videos/live/${live.id}/sessions`)).body;
    assert.equal(sessions.total, 1);
    assert.ok(sessions.data[0].endDate, 'the session is closed');
  });

  it('returns a permanent live to waiting after a graceful stop mid-stream, and it can go live again', async () => {
    const { live, after } = await streamThenStop(true, 'SIGTERM');
    assert.equal((await after.get(`/api/v1/videos/${live.id}`)).body.state.id, 4);
    const sessions = (await after.get(`/api/v1/videos/live/${live.id}/sessions`)).body;
    assert.ok(sessions.data[0].endDate, 'the session was closed');
    assert.doesNotMatch(server.output(), new RegExp(`live of video ${live.id} was streaming`),
      'a graceful stop ends the session itself; start-up recovery had nothing to do');
    const publisher = publish(`rtmp://127.0.0.1:${server.rtmpPort}/live/${live.streamKey}`, { width: 640, height: 360, seconds: 60 });
    try {
      await waitFor('published again', async () => (await after.get(`/api/v1/videos/${live.id}`)).body.state.id === 1, { timeoutMs: 20_000 });
    } finally {
      await publisher.stop();
    }
  });
});
