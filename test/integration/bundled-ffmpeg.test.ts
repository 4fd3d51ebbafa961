// `npm start` on a machine without a system ffmpeg: the server finds none on its PATH and falls
// back to the static ffmpeg 4.1 of @ffmpeg-installer/linux-x64, which must still serve a live.
// The publisher and the checks use the system ffmpeg, standing in for OBS and a player.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { publish, type Publisher } from '../helpers/publisher.ts';
import { fetchText, probeVariant } from '../helpers/media.ts';
import { waitFor } from '../helpers/wait.ts';

/** A PATH with what the server and embedded Postgres need, and no ffmpeg. */
function pathWithoutFfmpeg(): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'livecast-path-'));
  const tools = ['locale', 'id', 'groupadd', 'useradd', 'sh', 'pkill'];
  for (const tool of tools) {
    const found = ['/usr/bin', '/usr/sbin', '/bin', '/sbin'].map((folder) => join(folder, tool)).find((file) => existsSync(file));
    if (found) symlinkSync(found, join(dir, tool));
  }
  return { dir, path: [dirname(process.execPath), dir].join(':') };
}

describe('without a system ffmpeg', () => {
  let server: TestServer;
  let publisher: Publisher | undefined;
  const restricted = pathWithoutFfmpeg();

  before(async () => {
    server = await createTestServer({ PATH: restricted.path });
    await server.start();
  });

  after(async () => {
    await publisher?.stop();
    await server?.destroy();
    rmSync(restricted.dir, { recursive: true, force: true });
  });

  it('says at start-up that it uses the bundled ffmpeg 4.1', () => {
    assert.match(server.output(), /ffmpeg \S+ \(bundled\) at .*@ffmpeg-installer/);
    assert.match(server.output(), /bundled ffmpeg 4\.1 fallback.*SRT/);
  });

  it('still turns an RTMP publish into a playable ladder', async () => {
    const admin = await ApiClient.asAdmin(server.baseUrl);
    const live = await admin.createLive({ name: 'Fallback' });
    publisher = publish(`rtmp://127.0.0.1:${server.rtmpPort}/live/${live.streamKey}`, { width: 854, height: 480, seconds: 60 });
    const video = await waitFor('published', async () => {
      const current = (await admin.get(`/api/v1/videos/${live.id}`)).body;
      return current.state.id === 1 ? current : undefined;
    }, { timeoutMs: 20_000 });
    const masterUrl = `${server.baseUrl}${video.streamingPlaylists[0].playlistUrl}`;
    const master = await fetchText(masterUrl);
    const variants = master.split('\n').filter((line) => line && !line.startsWith('#'));
    assert.equal(variants.length, 2, '480p and 360p');
    const streams = await probeVariant(new URL(variants[1], masterUrl).href);
    assert.equal(streams.find((stream) => stream.codec_type === 'video')?.height, 360);
    assert.equal(streams.find((stream) => stream.codec_type === 'audio')?.codec_name, 'aac');
  });
});
