// Issue 9, defect 6: a permanent live's replay job that fails between its steps (the video
// inserted, the folder moved, published, linked) used to lose the replay: the retry found no folder
// and gave up, or made a second video. Now it records its target first and resumes. Each session of
// one permanent live fails its first run after a different step (LIVECAST_TEST_REPLAY_FAULTS, a hook
// of the real job); pg-boss retries it, and every replay must end published, whole, and alone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { publish } from '../helpers/publisher.ts';
import { fetchText, parsePlaylist, probeVariant } from '../helpers/media.ts';
import { sleep, waitFor } from '../helpers/wait.ts';
import { REPLAY_STEPS } from '../../core/live/replay-job.ts';

// Session ids start at 1 on the test server's fresh database: session n fails after step n.
const FAULTS = REPLAY_STEPS.map((step, index) => `${index + 1}:${step}`).join(',');

describe('replay job resumed after a failure at each step', () => {
  let server: TestServer;
  let admin: ApiClient;

  before(async () => {
    server = await createTestServer({
      TRANSCODING_LADDER: JSON.stringify([{ height: 240, videoBitrateKbps: 400 }]),
      LIVECAST_TEST_REPLAY_FAULTS: FAULTS,
    });
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
  });

  after(async () => {
    await server?.destroy();
  });

  it('ends with one published, whole replay per session', async () => {
    const live = await admin.createLive({ name: 'Radio', permanentLive: true, saveReplay: true, replaySettings: { privacy: 1 } });
    for (let index = 0; index < REPLAY_STEPS.length; index++) {
      const publisher = publish(`rtmp://127.0.0.1:${server.rtmpPort}/live/${live.streamKey}`, { width: 426, height: 240, seconds: 120 });
      await waitFor('on air', async () => (await admin.get(`/api/v1/videos/${live.id}`)).body.state.id === 1, { timeoutMs: 30_000, intervalMs: 200 });
      await sleep(4000);
      await publisher.stop();
      await waitFor('off air', async () => (await admin.get(`/api/v1/videos/${live.id}`)).body.state.id === 4, { timeoutMs: 30_000, intervalMs: 200 });
    }
    const sessions = await waitFor('every session linked to its replay', async () => {
      const listed = (await admin.get(`/api/v1/videos/live/${live.id}/sessions`)).body.data as any[];
      return listed.length === REPLAY_STEPS.length && listed.every((session) => session.replayVideo) ? listed : undefined;
    }, { timeoutMs: 180_000, intervalMs: 1000 });
    for (const step of REPLAY_STEPS) assert.match(server.output(), new RegExp(`injected fault after the replay step ${step}`));

    const replayIds = sessions.map((session) => session.replayVideo.id);
    assert.equal(new Set(replayIds).size, REPLAY_STEPS.length, 'a video of its own per session');
    for (const id of replayIds) {
      const video = (await admin.get(`/api/v1/videos/${id}`)).body;
      assert.equal(video.state.id, 1, `replay ${id} is published`);
      assert.equal(video.isLive, false);
      const masterUrl = `${server.baseUrl}${video.streamingPlaylists[0].playlistUrl}`;
      const variantUrl = new URL('0/index.m3u8', masterUrl).href;
      const playlist = parsePlaylist(await fetchText(variantUrl));
      assert.ok(playlist.ended);
      // Every segment the session recorded is listed and served.
      const hlsPath = /streaming-playlists\/(.+)\/master\.m3u8/.exec(video.streamingPlaylists[0].playlistUrl)![1];
      const manifest = readFileSync(join(server.dataDir, 'streaming-playlists', hlsPath, '0', 'segments.jsonl'), 'utf8').split('\n').filter(Boolean);
      assert.equal(playlist.uris.length, manifest.length, `replay ${id}: all ${manifest.length} recorded segments listed`);
      assert.ok(playlist.uris.length >= 1);
      for (const uri of playlist.uris) assert.equal((await fetch(new URL(uri, variantUrl))).status, 200, `${uri} of replay ${id}`);
      const streams = await probeVariant(variantUrl);
      assert.ok(streams.some((stream) => stream.codec_type === 'video'));
    }

    // Exactly one video per session: no replay left half-made (reserved but never published).
    const db = new pg.Client({ connectionString: server.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ id: number; state: number }>('SELECT id, state FROM videos WHERE is_live = false ORDER BY id');
      assert.deepEqual(rows.map((row) => row.id).sort(), [...replayIds].sort(), 'no other on-demand video was made');
    } finally {
      await db.end();
    }
  });
});

// The same with a real crash: the server dies by SIGKILL right after the folder moved (the step that
// used to lose the replay). After the restart, pg-boss notices the job's missing heartbeat
// (jobs.heartbeatSeconds), retries it, and the retry resumes from what the session row recorded.
describe('replay job resumed after the server is killed mid-job', () => {
  let server: TestServer;

  before(async () => {
    server = await createTestServer({
      TRANSCODING_LADDER: JSON.stringify([{ height: 240, videoBitrateKbps: 400 }]),
      LIVECAST_TEST_REPLAY_FAULTS: '1:move:kill',
      JOBS_HEARTBEAT_SECONDS: '10',
    });
    await server.start();
  });

  after(async () => {
    await server?.destroy();
  });

  it('publishes the one replay after the restart', async () => {
    let admin = await ApiClient.asAdmin(server.baseUrl);
    const live = await admin.createLive({ name: 'Crash', permanentLive: true, saveReplay: true, replaySettings: { privacy: 1 } });
    const publisher = publish(`rtmp://127.0.0.1:${server.rtmpPort}/live/${live.streamKey}`, { width: 426, height: 240, seconds: 120 });
    await waitFor('on air', async () => (await admin.get(`/api/v1/videos/${live.id}`)).body.state.id === 1, { timeoutMs: 30_000, intervalMs: 200 });
    await sleep(4000);
    await publisher.stop();
    await waitFor('the server killed after the move', () => !server.alive(), { timeoutMs: 60_000, intervalMs: 200 });
    await server.stop();
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
    const session = await waitFor('the session linked to its replay', async () => {
      const listed = (await admin.get(`/api/v1/videos/live/${live.id}/sessions`)).body.data as any[];
      return listed[0]?.replayVideo ? listed[0] : undefined;
    }, { timeoutMs: 240_000, intervalMs: 1000 });
    const video = (await admin.get(`/api/v1/videos/${session.replayVideo.id}`)).body;
    assert.equal(video.state.id, 1);
    const variantUrl = new URL('0/index.m3u8', `${server.baseUrl}${video.streamingPlaylists[0].playlistUrl}`).href;
    const playlist = parsePlaylist(await fetchText(variantUrl));
    const hlsPath = /streaming-playlists\/(.+)\/master\.m3u8/.exec(video.streamingPlaylists[0].playlistUrl)![1];
    const manifest = readFileSync(join(server.dataDir, 'streaming-playlists', hlsPath, '0', 'segments.jsonl'), 'utf8').split('\n').filter(Boolean);
    assert.equal(playlist.uris.length, manifest.length, 'every recorded segment listed');
    for (const uri of playlist.uris) assert.equal((await fetch(new URL(uri, variantUrl))).status, 200, uri);
    const db = new pg.Client({ connectionString: server.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ id: number }>('SELECT id FROM videos WHERE is_live = false');
      assert.deepEqual(rows.map((row) => row.id), [session.replayVideo.id], 'one video for the session');
    } finally {
      await db.end();
    }
  });
});
