// Issue 9, defect 2: an uploaded file is opened by ffprobe/ffmpeg with an allow-list of container
// demuxers, `-protocol_whitelist file` and one exact `file:` path. An HLS playlist or a concat
// script that points at another user's original (or any local file) is refused with a clear
// reason, the video ends "transcoding failed", and nothing is published from the other file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { makeClip, resumableUpload, waitPublished } from '../helpers/uploads.ts';
import { waitFor } from '../helpers/wait.ts';

describe('uploaded input cannot read local files', () => {
  let server: TestServer;
  let attacker: ApiClient;
  let channelId: number;
  let victimFile: string;

  before(async () => {
    server = await createTestServer({
      TRANSCODING_LADDER: JSON.stringify([{ height: 240, videoBitrateKbps: 300 }]),
    });
    await server.start();
    const admin = await ApiClient.asAdmin(server.baseUrl);
    assert.equal((await admin.post('/api/v1/users', { username: 'mallory', password: 'mallory-password', email: 'm@example.org' })).status, 200);
    attacker = new ApiClient(server.baseUrl);
    assert.equal((await attacker.login('mallory', 'mallory-password')).status, 200);
    channelId = (await attacker.get('/api/v1/users/me')).body.videoChannels[0].id;
    // Another user's original (MPEG-TS: what the HLS and concat demuxers read most readily),
    // waiting in the originals folder for its transcode.
    const originals = join(server.dataDir, 'uploads', 'originals');
    mkdirSync(originals, { recursive: true });
    victimFile = join(originals, 'victim-original.ts');
    makeClip(victimFile, '320x240', 3);
  });

  after(async () => {
    await server?.destroy();
  });

  async function uploadAndWaitForEnd(filename: string, content: string) {
    const response = await resumableUpload(server.baseUrl, attacker.token, '/api/v1/videos/upload-resumable',
      { channelId, name: filename, filename, privacy: 1 }, Buffer.from(content), 1);
    assert.equal(response.status, 200, await response.clone().text());
    const { video } = await response.json() as { video: { id: number; uuid: string } };
    const ended = await waitFor(`${filename} processed`, async () => {
      const current = (await attacker.get(`/api/v1/videos/${video.id}`)).body;
      return current.state.id === 1 || current.state.id === 7 ? current : undefined;
    }, { timeoutMs: 60_000, intervalMs: 300 });
    return { id: video.id, uuid: video.uuid, ended };
  }

  function assertNothingPublished(uuid: string) {
    const dir = join(server.dataDir, 'streaming-playlists', 'hls', uuid);
    const files = existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : [];
    assert.deepEqual(files.filter((name) => /\.(m4s|m3u8|mp4|jpg)$/.test(name)), [], 'no media made from the other file');
  }

  it('refuses an HLS playlist whose segment is another file', async () => {
    const playlist = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:4', '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXTINF:3.0,', `file:${victimFile}`, '#EXT-X-ENDLIST', ''].join('\n');
    const { uuid, ended } = await uploadAndWaitForEnd('stolen.m3u8', playlist);
    assert.equal(ended.state.id, 7, `the playlist was ${ended.state.label}: ${ended.error ?? ''}`);
    assert.match(ended.error, /not an accepted video format/i);
    assert.ok(!ended.error.includes(victimFile), 'the reason names no local path');
    assertNothingPublished(uuid);
  });

  it('refuses a concat script naming a sibling original', async () => {
    // The duration line gives the script a duration, which the probe wants before it transcodes.
    const script = `ffconcat version 1.0\nfile victim-original.ts\nduration 3\n`;
    const { uuid, ended } = await uploadAndWaitForEnd('stolen.ffconcat', script);
    assert.equal(ended.state.id, 7, `the concat script was ${ended.state.label}: ${ended.error ?? ''}`);
    assert.match(ended.error, /not an accepted video format/i);
    assertNothingPublished(uuid);
  });

  it('still publishes an ordinary upload, whatever its name says', async () => {
    const clip = join(server.dataDir, 'clip.mkv');
    const bytes = makeClip(clip, '320x240', 2);
    const response = await resumableUpload(server.baseUrl, attacker.token, '/api/v1/videos/upload-resumable',
      { channelId, name: 'ordinary', filename: 'holiday.m3u8', privacy: 1 }, bytes, 1);
    assert.equal(response.status, 200);
    const { video } = await response.json() as { video: { id: number } };
    const published = await waitPublished(attacker, video.id);
    assert.equal(published.state.id, 1);
  });
});
