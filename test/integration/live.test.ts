// The live vertical slice end to end: a real ffmpeg publishes over RTMP into the real server
// (embedded Postgres, node-media-server, ffmpeg ladder), and we check what a viewer would get.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { publish } from '../helpers/publisher.ts';
import { fetchText, parsePlaylist, probeVariant } from '../helpers/media.ts';
import { settleWithin, waitFor } from '../helpers/wait.ts';

describe('live over RTMP', () => {
  let server: TestServer;
  let admin: ApiClient;

  const rtmpUrl = (key: string) => `rtmp://127.0.0.1:${server.rtmpPort}/live/${key}`;
  const videoOf = async (id: number) => (await admin.get(`/api/v1/videos/${id}`)).body;

  /** Publishes 720p to a new live until it is published: what a viewer saw on the way, and the live. */
  async function goLive(name: string) {
    const live = await admin.createLive({ name, saveReplay: false });
    const stateBefore = (await videoOf(live.id)).state.id as number;
    const startedAt = Date.now();
    const publisher = publish(rtmpUrl(live.streamKey), { width: 1280, height: 720, seconds: 120 });
    const video = await waitFor('the live to be published', async () => {
      const current = await videoOf(live.id);
      return current.state.id === 1 && current.streamingPlaylists.length > 0 ? current : undefined;
    }, { timeoutMs: 20_000 });
    const elapsed = Date.now() - startedAt;
    return { live, publisher, stateBefore, elapsed, masterUrl: `${server.baseUrl}${video.streamingPlaylists[0].playlistUrl}` };
  }

  before(async () => {
    server = await createTestServer();
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
  });

  after(async () => {
    await server?.destroy();
  });

  // The tests of this block watch one live on air: none ends it, and the two that disturb it (privacy,
  // a crashed transcoder) check that it is back as it was before they finish.
  describe('a 720p live on air', () => {
    let onAir: Awaited<ReturnType<typeof goLive>>;
    let live: Awaited<ReturnType<typeof goLive>>['live'];
    let masterUrl: string;

    before(async () => {
      onAir = await goLive('Main stage');
      ({ live, masterUrl } = onAir);
    });

    after(async () => {
      await onAir?.publisher.stop();
    });

    it('goes from waiting to published within 10 s of a 720p publish, with three renditions', async () => {
      assert.equal(onAir.stateBefore, 4, 'a new live waits for its stream');
      const elapsed = onAir.elapsed;
      console.log(`# published ${elapsed} ms after the publisher started`);
      assert.ok(elapsed < 10_000, `published after ${elapsed} ms`);
      const master = await fetchText(masterUrl);
      const heights = [...master.matchAll(/RESOLUTION=\d+x(\d+)/g)].map((match) => Number(match[1]));
      assert.deepEqual(heights, [720, 480, 360]);
    });

    it('serves segments of every rendition that decode at the right height with H.264 and AAC', async () => {
      const master = await fetchText(masterUrl);
      const variants = master.split('\n').filter((line) => line && !line.startsWith('#'));
      assert.equal(variants.length, 3);
      const expected = [720, 480, 360];
      for (const [position, variant] of variants.entries()) {
        const streams = await probeVariant(new URL(variant, masterUrl).href);
        const videoStream = streams.find((stream) => stream.codec_type === 'video');
        const audioStream = streams.find((stream) => stream.codec_type === 'audio');
        assert.equal(videoStream?.codec_name, 'h264');
        assert.equal(videoStream?.height, expected[position]);
        assert.equal(audioStream?.codec_name, 'aac');
      }
    });

    it('serves playlists and segments with the right content types and cache headers', async () => {
      const master = await fetch(masterUrl);
      assert.equal(master.headers.get('content-type'), 'application/vnd.apple.mpegurl');
      assert.equal(master.headers.get('cache-control'), 'no-cache');
      const variantUrl = new URL('0/index.m3u8', masterUrl).href;
      const playlist = parsePlaylist(await fetchText(variantUrl));
      const segment = await fetch(new URL(playlist.uris[0], variantUrl));
      assert.equal(segment.status, 200);
      assert.equal(segment.headers.get('content-type'), 'video/mp4');
      assert.match(segment.headers.get('cache-control') ?? '', /immutable/);
      const outside = await fetch(`${server.baseUrl}/static/streaming-playlists/hls/${randomUUID()}/1/master.m3u8`);
      assert.equal(outside.status, 404);
    });

    it('refuses media of a video that is not public or unlisted without authorisation', async () => {
      // Private lives cannot be created through the API yet: set the privacy in the database to
      // check that the access-control hook in front of the media files holds.
      const db = new pg.Client({ connectionString: server.databaseUrl });
      await db.connect();
      try {
        await db.query('UPDATE videos SET privacy = 3 WHERE id = $1', [live.id]);
        const refused = await waitFor('the privacy cache to expire', async () => {
          const response = await fetch(masterUrl);
          return response.status === 401 ? response : undefined;
        }, { timeoutMs: 10_000 });
        assert.equal(refused.status, 401);
        const asOwner = await fetch(masterUrl, { headers: { authorization: `Bearer ${admin.token}` } });
        assert.equal(asOwner.status, 200);
        const anonymousApi = await new ApiClient(server.baseUrl).get(`/api/v1/videos/${live.id}`);
        assert.equal(anonymousApi.status, 404, 'a private video does not show in the API either');
      } finally {
        await db.query('UPDATE videos SET privacy = 1 WHERE id = $1', [live.id]);
        await db.end();
      }
      await waitFor('public again', async () => (await fetch(masterUrl)).status === 200, { timeoutMs: 10_000 });
    });

    it('keeps advancing the playlist', async () => {
      const variantUrl = new URL('2/index.m3u8', masterUrl).href;
      const first = parsePlaylist(await fetchText(variantUrl)).uris.at(-1);
      await waitFor('a new segment', async () => parsePlaylist(await fetchText(variantUrl)).uris.at(-1) !== first, { timeoutMs: 10_000 });
    });

    it('refuses an unknown stream key with a log line, and keeps serving', async () => {
      const intruder = publish(rtmpUrl(randomUUID()), { width: 320, height: 240, seconds: 30, audio: false });
      const code = await settleWithin(intruder.exited, 15_000);
      await intruder.stop();
      assert.notEqual(code, 0, 'the publisher must be disconnected');
      assert.notEqual(code, 'timeout', 'the publisher must be disconnected');
      assert.match(server.output(), /refused RTMP publish from .*unknown stream key/);
      assert.equal((await videoOf(live.id)).state.id, 1, 'the real live is unaffected');
    });

    it('refuses a second publisher on a busy key', async () => {
      const second = publish(rtmpUrl(live.streamKey), { width: 320, height: 240, seconds: 30, audio: false });
      const code = await settleWithin(second.exited, 15_000);
      await second.stop();
      assert.notEqual(code, 0);
      assert.notEqual(code, 'timeout');
      assert.match(server.output(), /already has a publisher/);
      const variantUrl = new URL('0/index.m3u8', masterUrl).href;
      const before = parsePlaylist(await fetchText(variantUrl)).uris.at(-1);
      await waitFor('the first publisher to keep going', async () => parsePlaylist(await fetchText(variantUrl)).uris.at(-1) !== before, { timeoutMs: 10_000 });
    });

    it('survives garbage on the RTMP port', async () => {
      await new Promise<void>((resolve) => {
        const socket = connect(server.rtmpPort, '127.0.0.1', () => {
          socket.write(randomBytes(8192));
          setTimeout(() => socket.destroy(), 300);
        });
        socket.on('close', () => resolve());
        socket.on('error', () => resolve());
      });
      const config = await admin.get('/api/v1/config');
      assert.equal(config.status, 200);
      assert.equal((await videoOf(live.id)).state.id, 1);
    });

    it('restarts a crashed transcoder and continues the playlist after a discontinuity', async () => {
      const sessionsBefore = (await admin.get(`/api/v1/videos/live/${live.id}/sessions`)).body;
      const report = (await admin.get('/api/v1/admin/transcoding')).body;
      const pid = report.activeLives.find((entry: { videoUuid: string }) => entry.videoUuid === live.uuid).transcoderPid;
      process.kill(pid, 'SIGKILL');
      const variantUrl = new URL('1/index.m3u8', masterUrl).href;
      const playlist = await waitFor('a discontinuity followed by new segments', async () => {
        const text = await fetchText(variantUrl);
        const after = text.split(/^#EXT-X-DISCONTINUITY$/m)[1];
        return after && /seg-\d+\.m4s/.test(after) ? text : undefined;
      }, { timeoutMs: 20_000 });
      assert.ok(!parsePlaylist(playlist).ended);
      assert.match(server.output(), /restarting transcoder \(1\//);
      const sessionsAfter = (await admin.get(`/api/v1/videos/live/${live.id}/sessions`)).body;
      assert.equal(sessionsAfter.total, sessionsBefore.total, 'the same session goes on');
      assert.equal((await videoOf(live.id)).state.id, 1);
    });
  });

  it('ends the live when the publisher stops, and refuses its key afterwards', async () => {
    const { live, publisher, masterUrl } = await goLive('Ending stage');
    await publisher.stop();
    await waitFor('the live to end', async () => (await videoOf(live.id)).state.id === 5, { timeoutMs: 20_000 });
    const sessions = (await admin.get(`/api/v1/videos/live/${live.id}/sessions`)).body;
    assert.equal(sessions.total, 1);
    assert.ok(sessions.data[0].endDate, 'the session has an end date');
    assert.equal(sessions.data[0].error, null);
    assert.deepEqual(sessions.data[0].renditions, [720, 480, 360]);
    const ended = parsePlaylist(await fetchText(new URL('0/index.m3u8', masterUrl).href));
    assert.ok(ended.ended, 'the playlist is closed with ENDLIST');

    const late = publish(rtmpUrl(live.streamKey), { width: 320, height: 240, seconds: 30, audio: false });
    const code = await settleWithin(late.exited, 15_000);
    await late.stop();
    assert.notEqual(code, 'timeout');
    assert.match(server.output(), /has ended/);
  });

  it('returns a permanent live to waiting, and takes a new session on the next publish', async () => {
    const permanent = await admin.createLive({ name: 'Always on', permanentLive: true });
    for (const round of [1, 2]) {
      const run = publish(rtmpUrl(permanent.streamKey), { width: 640, height: 360, seconds: 60 });
      await waitFor(`publish round ${round}`, async () => (await videoOf(permanent.id)).state.id === 1, { timeoutMs: 20_000 });
      await run.stop();
      await waitFor(`waiting again after round ${round}`, async () => (await videoOf(permanent.id)).state.id === 4, { timeoutMs: 20_000 });
    }
    const sessions = (await admin.get(`/api/v1/videos/live/${permanent.id}/sessions`)).body;
    assert.equal(sessions.total, 2);
    assert.ok(sessions.data.every((session: { endDate: string | null }) => session.endDate));
    assert.deepEqual(sessions.data[0].renditions, [360], 'a 360p source gets only the rungs at or below it');
  });
});
