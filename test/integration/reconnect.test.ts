// Reconnect grace: a publisher that drops and comes back within the grace keeps its session;
// viewers get no "ended", and the playlist continues after a discontinuity.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { io, type Socket } from 'socket.io-client';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { publish, type Publisher } from '../helpers/publisher.ts';
import { fetchText, parsePlaylist } from '../helpers/media.ts';
import { sleep, waitFor } from '../helpers/wait.ts';

const GRACE_SECONDS = 8;

describe('publisher reconnect', () => {
  let server: TestServer;
  let admin: ApiClient;
  let socket: Socket;
  let publisher: Publisher | undefined;
  const states: number[] = [];

  before(async () => {
    server = await createTestServer({ LIVE_RECONNECT_GRACE_SECONDS: String(GRACE_SECONDS) });
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
  });

  after(async () => {
    socket?.close();
    await publisher?.stop();
    await server?.destroy();
  });

  it('resumes the same session after a drop, with a discontinuity and no "ended" event', async () => {
    const live = await admin.createLive({ name: 'Flaky uplink' });
    socket = io(`${server.baseUrl}/live-videos`, { transports: ['websocket'] });
    socket.on('state-change', (event: { state: { id: number } }) => states.push(event.state.id));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.emit('subscribe', { videoId: live.id });

    const url = `rtmp://127.0.0.1:${server.rtmpPort}/live/${live.streamKey}`;
    publisher = publish(url, { width: 640, height: 360, seconds: 120 });
    const video = await waitFor('published', async () => {
      const current = (await admin.get(`/api/v1/videos/${live.id}`)).body;
      return current.state.id === 1 ? current : undefined;
    }, { timeoutMs: 20_000 });
    const variantUrl = new URL('0/index.m3u8', `${server.baseUrl}${video.streamingPlaylists[0].playlistUrl}`).href;
    const sessionBefore = (await admin.get(`/api/v1/videos/live/${live.id}/sessions`)).body.data[0];

    publisher.process.kill('SIGKILL'); // the uplink drops without a goodbye
    await publisher.exited;
    await sleep(3000);
    assert.equal((await admin.get(`/api/v1/videos/${live.id}`)).body.state.id, 1, 'still live during the grace');

    publisher = publish(url, { width: 640, height: 360, seconds: 120 });
    await waitFor('the playlist to continue after a discontinuity', async () => {
      const after = (await fetchText(variantUrl)).split(/^#EXT-X-DISCONTINUITY$/m)[1];
      return after !== undefined && /seg-\d+\.m4s/.test(after);
    }, { timeoutMs: 20_000 });
    const sessions = (await admin.get(`/api/v1/videos/live/${live.id}/sessions`)).body;
    assert.equal(sessions.total, 1);
    assert.equal(sessions.data[0].id, sessionBefore.id, 'the same session goes on');
    assert.equal(sessions.data[0].endDate, null);
    assert.ok(!parsePlaylist(await fetchText(variantUrl)).ended);
    assert.match(server.output(), /resumed over rtmp/);
    assert.ok(!states.includes(5), `no ended event (got ${states.join(',')})`);

    // Past the grace, the live ends as before.
    await publisher.stop();
    await waitFor('the end after the grace', async () => (await admin.get(`/api/v1/videos/${live.id}`)).body.state.id === 5,
      { timeoutMs: (GRACE_SECONDS + 15) * 1000 });
    await waitFor('the ended event', () => states.includes(5), { timeoutMs: 5000 });
    const ended = (await admin.get(`/api/v1/videos/live/${live.id}/sessions`)).body.data[0];
    assert.ok(ended.endDate);
    assert.ok(parsePlaylist(await fetchText(variantUrl)).ended, 'ENDLIST once the session is over');
  });
});
