// SRT ingest as OBS uses it: a real ffmpeg publishes MPEG-TS to srt://host:port?streamid=<key>
// (caller mode, libsrt defaults) into the real server, which checks the key before any media flows.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { publish, type Publisher } from '../helpers/publisher.ts';
import { fetchText, probeVariant } from '../helpers/media.ts';
import { waitFor } from '../helpers/wait.ts';

/** A UDP port that was free a moment ago on loopback. */
function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** ffmpeg as OBS would publish over SRT: H.264 + AAC (or Opus) in MPEG-TS, caller mode. */
function publishSrt(url: string, seconds: number, audioCodec: 'aac' | 'libopus' = 'aac'): Publisher {
  return publish(url, { width: 640, height: 360, seconds, container: 'mpegts', audioCodec });
}

describe('SRT ingest', () => {
  let server: TestServer;
  let admin: ApiClient;
  let srtPort: number;
  const publishers: Publisher[] = [];
  const srtUrl = (streamId: string) => `srt://127.0.0.1:${srtPort}?streamid=${streamId}`;
  const stateOf = async (id: number) => (await admin.get(`/api/v1/videos/${id}`)).body.state.id as number;

  before(async () => {
    srtPort = await freeUdpPort();
    server = await createTestServer({ SRT_HOST: '127.0.0.1', SRT_PORT: String(srtPort) });
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
  });

  after(async () => {
    await Promise.all(publishers.map((publisher) => publisher.stop()));
    await server?.destroy();
  });

  it('shows the OBS URL, key included, to the owner only', async () => {
    const live = await admin.createLive({ name: 'SRT URL' });
    const settings = (await admin.get(`/api/v1/videos/live/${live.id}`)).body;
    assert.equal(settings.srtUrl, `srt://127.0.0.1:${srtPort}?streamid=${live.streamKey}`);
    const anonymous = (await new ApiClient(server.baseUrl).get(`/api/v1/videos/live/${live.id}`)).body;
    assert.equal(anonymous.srtUrl, undefined);
    assert.match(server.output(), new RegExp(`SRT listening on 127\\.0\\.0\\.1:${srtPort}`));
  });

  it('refuses a wrong key at the handshake: the publisher fails at once, the server logs it and goes on', async () => {
    const live = await admin.createLive({ name: 'Not this one' });
    const attempts = [
      publishSrt(srtUrl(randomUUID()), 5),
      publishSrt(srtUrl(`#!::r=${randomUUID()},m=publish`), 5),
      publishSrt(srtUrl(`#!::r=${live.streamKey},m=request`), 5), // the right key, asking to play
    ];
    publishers.push(...attempts);
    const started = Date.now();
    const codes = await Promise.all(attempts.map((attempt) => attempt.exited));
    const elapsed = Date.now() - started;
    assert.ok(codes.every((code) => code !== 0), `exit codes ${codes}`);
    assert.ok(elapsed < 10_000, `refused after ${elapsed} ms`);
    for (const attempt of attempts) assert.match(attempt.stderr(), /Connection to srt:.* failed/);
    const refusals = server.output().match(/refused SRT publish from 127\.0\.0\.1:\d+: .*/g) ?? [];
    assert.equal(refusals.length, 3, refusals.join('\n'));
    assert.ok(refusals.some((line) => line.includes('unknown stream key')));
    assert.ok(refusals.some((line) => line.includes('m=publish')));
    assert.equal(await stateOf(live.id), 4, 'the live still waits');
    assert.equal((await admin.get('/api/v1/config')).status, 200, 'the server still serves');
  });

  it('takes two publishers at once on the one port, bare key and #!:: syntax, AAC and Opus, and their HLS plays', async () => {
    const [bare, accessControl] = [await admin.createLive({ name: 'SRT bare key' }), await admin.createLive({ name: 'SRT #!::' })];
    const first = publishSrt(srtUrl(bare.streamKey), 60);
    const second = publishSrt(srtUrl(`#!::r=${accessControl.streamKey},m=publish`), 60, 'libopus');
    publishers.push(first, second);
    const startedAt = Date.now();
    const videos = await waitFor('both lives published', async () => {
      for (const publisher of [first, second]) if (publisher.process.exitCode !== null) throw new Error(`publisher exited: ${publisher.stderr()}`);
      const both = await Promise.all([bare.id, accessControl.id].map(async (id) => (await admin.get(`/api/v1/videos/${id}`)).body));
      return both.every((video) => video.state.id === 1 && video.streamingPlaylists.length > 0) ? both : undefined;
    }, { timeoutMs: 30_000 });
    console.log(`# both published ${Date.now() - startedAt} ms after the publishers started`);

    for (const video of videos) {
      const masterUrl = `${server.baseUrl}${video.streamingPlaylists[0].playlistUrl}`;
      const variants = (await fetchText(masterUrl)).split('\n').filter((line) => line && !line.startsWith('#'));
      const streams = await probeVariant(new URL(variants[0], masterUrl).href);
      assert.equal(streams.find((stream) => stream.codec_type === 'video')?.codec_name, 'h264');
      assert.equal(streams.find((stream) => stream.codec_type === 'video')?.height, 360);
      assert.equal(streams.find((stream) => stream.codec_type === 'audio')?.codec_name, 'aac', 'Opus in, AAC out too');
    }

    for (const id of [bare.id, accessControl.id]) {
      const sessions = (await admin.get(`/api/v1/videos/live/${id}/sessions`)).body;
      assert.equal(sessions.total, 1);
      assert.equal(sessions.data[0].protocol, 'srt');
    }
    assert.equal(server.output().match(/session \d+ started over srt from 127\.0\.0\.1:\d+/g)?.length, 2);

    // Stopping a publisher ends its live (the test server sets no reconnect grace); the other goes on.
    await first.stop();
    await waitFor('the first live ended', async () => await stateOf(bare.id) === 5, { timeoutMs: 15_000 });
    assert.equal(await stateOf(accessControl.id), 1);
    assert.match(server.output(), /SRT publisher 127\.0\.0\.1:\d+ disconnected/);
    await second.stop();
    await waitFor('the second live ended', async () => await stateOf(accessControl.id) === 5, { timeoutMs: 15_000 });
  });
});
