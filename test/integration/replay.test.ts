// Replays: a live recorded with saveReplay becomes an on-demand video with the replay privacy —
// the same video for a normal live, a new linked one per session for a permanent live — and a
// session cut short by a crash still becomes its replay after the restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { publish } from '../helpers/publisher.ts';
import { fetchText, parsePlaylist, probeVariant } from '../helpers/media.ts';
import { sleep, waitFor } from '../helpers/wait.ts';

describe('replays', () => {
  let server: TestServer;
  let admin: ApiClient;

  before(async () => {
    server = await createTestServer({ TRANSCODING_LADDER: JSON.stringify([{ height: 360, videoBitrateKbps: 800 }, { height: 240, videoBitrateKbps: 400 }]) });
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
  });

  after(async () => {
    await server?.destroy();
  });

  const videoOf = async (id: number) => (await admin.get(`/api/v1/videos/${id}`)).body;

  async function streamFor(streamKey: string, seconds: number, stop = true) {
    const publisher = publish(`rtmp://127.0.0.1:${server.rtmpPort}/live/${streamKey}`, { width: 640, height: 360, seconds: 120 });
    await sleep(seconds * 1000);
    if (stop) await publisher.stop();
    return publisher;
  }

  async function replayOf(id: number) {
    return waitFor('the replay', async () => {
      const video = await videoOf(id);
      return !video.isLive && video.state.id === 1 && video.streamingPlaylists.length > 0 ? video : undefined;
    }, { timeoutMs: 40_000, intervalMs: 500 });
  }

  async function assertPlayableReplay(video: { streamingPlaylists: Array<{ playlistUrl: string }>; duration: number; thumbnailPath: string | null }, minSeconds: number) {
    assert.ok(video.duration >= minSeconds, `duration ${video.duration} s`);
    const masterUrl = `${server.baseUrl}${video.streamingPlaylists[0].playlistUrl}`;
    const master = await fetchText(masterUrl);
    assert.deepEqual([...master.matchAll(/RESOLUTION=\d+x(\d+)/g)].map((match) => Number(match[1])), [360, 240]);
    const variantUrl = new URL('0/index.m3u8', masterUrl).href;
    const playlist = await fetchText(variantUrl);
    assert.ok(parsePlaylist(playlist).ended, 'an on-demand playlist ends');
    assert.doesNotMatch(playlist, /#EXT-X-PART|PRELOAD-HINT/);
    const listed = [...playlist.matchAll(/#EXTINF:([\d.]+)/g)].reduce((total, match) => total + Number(match[1]), 0);
    assert.ok(Math.abs(listed - video.duration) <= 1, `the playlist holds the whole recording (${listed} s)`);
    assert.ok(parsePlaylist(playlist).uris[0] === 'seg-0.m4s', 'from the very first segment, not only the DVR window');
    const streams = await probeVariant(variantUrl);
    assert.equal(streams.find((stream) => stream.codec_type === 'video')?.height, 360);
    assert.ok(video.thumbnailPath, 'a thumbnail');
    const thumbnail = await fetch(`${server.baseUrl}${video.thumbnailPath}`);
    assert.equal(thumbnail.status, 200);
    assert.equal(thumbnail.headers.get('content-type'), 'image/jpeg');
  }

  /** Every replay also gets a storyboard (sprite sheet) once published. */
  async function assertStoryboard(videoId: number) {
    const storyboard = await waitFor('the storyboard', async () => {
      const response = await admin.get(`/api/v1/videos/${videoId}/storyboards`);
      return response.body?.storyboards?.[0];
    }, { timeoutMs: 40_000, intervalMs: 500 });
    const sprite = await fetch(`${server.baseUrl}${storyboard.storyboardPath}`);
    assert.equal(sprite.status, 200);
    assert.equal(sprite.headers.get('content-type'), 'image/jpeg');
    assert.ok(storyboard.spriteWidth > 0 && storyboard.spriteDuration > 0);
  }

  it('turns a normal live into its own replay, with the replay privacy', async () => {
    const live = await admin.createLive({ name: 'Concert', saveReplay: true, replaySettings: { privacy: 2 } });
    await streamFor(live.streamKey, 9);
    const replay = await replayOf(live.id);
    assert.equal(replay.uuid, live.uuid, 'same video, same URL');
    assert.deepEqual(replay.privacy, { id: 2, label: 'Unlisted' });
    await assertPlayableReplay(replay, 4);
    const sessions = (await admin.get(`/api/v1/videos/live/${live.id}/sessions`)).body;
    assert.equal(sessions.data[0].replayVideo.id, live.id);
    await assertStoryboard(live.id);
  });

  it('gives a permanent live a new linked video per session', async () => {
    const live = await admin.createLive({ name: 'Radio', permanentLive: true, saveReplay: true, replaySettings: { privacy: 1 } });
    await streamFor(live.streamKey, 8);
    const session = await waitFor('the session linked to its replay', async () => {
      const sessions = (await admin.get(`/api/v1/videos/live/${live.id}/sessions`)).body;
      return sessions.data[0]?.replayVideo ? sessions.data[0] : undefined;
    }, { timeoutMs: 40_000, intervalMs: 500 });
    assert.notEqual(session.replayVideo.id, live.id);
    const replay = await replayOf(session.replayVideo.id);
    assert.match(replay.name, /^Radio – \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    await assertPlayableReplay(replay, 4);
    await assertStoryboard(replay.id);
    const permanent = await videoOf(live.id);
    assert.equal(permanent.isLive, true);
    assert.equal(permanent.state.id, 4, 'the permanent live waits for its next session');
  });

  it('keeps a private replay from anonymous viewers', async () => {
    const live = await admin.createLive({ name: 'Rehearsal', saveReplay: true, replaySettings: { privacy: 3 } });
    await streamFor(live.streamKey, 6);
    const replay = await replayOf(live.id);
    assert.equal(replay.privacy.id, 3);
    assert.equal((await new ApiClient(server.baseUrl).get(`/api/v1/videos/${live.id}`)).status, 404);
    const masterUrl = `${server.baseUrl}${replay.streamingPlaylists[0].playlistUrl}`;
    await waitFor('the privacy to apply to the media', async () => (await fetch(masterUrl)).status === 401, { timeoutMs: 10_000 });
    assert.equal((await fetch(masterUrl, { headers: { authorization: `Bearer ${admin.token}` } })).status, 200);
  });

  it('still makes the replay of a session cut short by a crash', async () => {
    const live = await admin.createLive({ name: 'Cut short', saveReplay: true, replaySettings: { privacy: 1 } });
    const publisher = await streamFor(live.streamKey, 8, false);
    await server.stop('SIGKILL');
    await publisher.stop();
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
    const replay = await replayOf(live.id);
    await assertPlayableReplay(replay, 3);
  });
});
