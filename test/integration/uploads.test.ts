// Uploads: tus (tus-js-client, interrupted and resumed), PeerTube's multipart and resumable
// protocols, a corrupt file that fails cleanly, a password-protected upload (privacy 5, videoPasswords),
// the size limit (413) and the user quota (403).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tus from 'tus-js-client';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { fetchText, parsePlaylist, probeVariant } from '../helpers/media.ts';
import { createUploader } from '../helpers/uploads.ts';
import { waitFor } from '../helpers/wait.ts';

const CORRUPT_BYTES = 20_000;

describe('uploads', () => {
  let server: TestServer;
  let admin: ApiClient;
  let channelId: number;
  let work: string;
  let video: Buffer;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'livecast-upload-'));
    const file = join(work, 'source.mp4');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=25:duration=6', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=6',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '600k', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', file]);
    video = readFileSync(file);
    // Room for three copies and the corrupt file; a fourth copy goes over the quota.
    server = await createTestServer({
      TRANSCODING_LADDER: JSON.stringify([{ height: 360, videoBitrateKbps: 800 }, { height: 240, videoBitrateKbps: 400 }]),
      UPLOADS_MAX_FILE_SIZE_BYTES: String(video.length * 2),
      UPLOADS_USER_QUOTA_BYTES: String(video.length * 3 + CORRUPT_BYTES + 50_000),
    });
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
    channelId = (await admin.get('/api/v1/users/me')).body.videoChannels[0].id;
  });

  after(async () => {
    await server?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const auth = () => ({ Authorization: `Bearer ${admin.token}` });
  const videoOf = async (id: number) => (await admin.get(`/api/v1/videos/${id}`)).body;

  async function published(id: number) {
    const progress: number[] = [];
    const done = await waitFor(`video ${id} published`, async () => {
      const current = await videoOf(id);
      if (current.processingProgress !== undefined) progress.push(current.processingProgress);
      if (current.state.id === 7) throw new Error(`failed: ${current.error}`);
      return current.state.id === 1 ? current : undefined;
    }, { timeoutMs: 120_000, intervalMs: 300 });
    return { video: done, progress };
  }

  async function assertPlayable(row: any) {
    assert.equal(row.isLive, false);
    assert.ok(Math.abs(row.duration - 6) <= 1, `duration ${row.duration}`);
    assert.equal(row.processingProgress, 100);
    assert.ok(row.thumbnailPath, 'a thumbnail');
    assert.equal((await fetch(`${server.baseUrl}${row.thumbnailPath}`)).status, 200);
    const masterUrl = `${server.baseUrl}${row.streamingPlaylists[0].playlistUrl}`;
    assert.match(masterUrl, /\/vod-1\/master\.m3u8$/);
    const master = await fetchText(masterUrl);
    assert.deepEqual([...master.matchAll(/RESOLUTION=\d+x(\d+)/g)].map((match) => Number(match[1])), [360, 240]);
    const variantUrl = new URL('0/index.m3u8', masterUrl).href;
    const playlist = parsePlaylist(await fetchText(variantUrl));
    assert.ok(playlist.ended, 'a VOD playlist ends');
    const streams = await probeVariant(variantUrl);
    assert.ok(streams.some((stream) => stream.codec_type === 'video' && stream.codec_name === 'h264' && stream.height === 360));
    assert.ok(streams.some((stream) => stream.codec_type === 'audio'));
  }

  it('tus: an upload interrupted mid-way resumes, then is transcoded to HLS', async () => {
    const options = (extra: Partial<tus.UploadOptions>): tus.UploadOptions => ({
      endpoint: `${server.baseUrl}/api/v1/uploads/tus`,
      headers: auth(),
      chunkSize: 64 * 1024,
      retryDelays: [],
      metadata: { filename: 'clip.mp4', name: 'tus upload', channelId: String(channelId), privacy: '1' },
      ...extra,
    });
    // First attempt: aborted after two chunks.
    const first = await new Promise<tus.Upload>((resolve, reject) => {
      let chunks = 0;
      const upload: tus.Upload = new tus.Upload(video, options({
        onChunkComplete: () => { if (++chunks === 2) void upload.abort().then(() => resolve(upload)); },
        onSuccess: () => reject(new Error('the upload should have been interrupted')),
        onError: reject,
      }));
      upload.start();
    });
    assert.ok(first.url, 'an upload URL');
    const head = await fetch(first.url!, { method: 'HEAD', headers: { ...auth(), 'Tus-Resumable': '1.0.0' } });
    const offset = Number(head.headers.get('upload-offset'));
    assert.ok(offset > 0 && offset < video.length, `offset ${offset} of ${video.length}`);
    // Resume at the same URL: only the rest is sent.
    let resumedFrom = -1;
    const body = await new Promise<string>((resolve, reject) => {
      const upload = new tus.Upload(video, options({
        uploadUrl: first.url,
        onProgress: (sent) => { if (resumedFrom < 0) resumedFrom = sent; },
        onSuccess: (payload) => resolve(payload.lastResponse.getBody()),
        onError: reject,
      }));
      upload.start();
    });
    assert.ok(resumedFrom >= offset, `resumed from ${resumedFrom}`);
    const { video: uploaded } = JSON.parse(body);
    assert.ok(uploaded.id && uploaded.uuid && uploaded.shortUUID);
    const initial = await videoOf(uploaded.id);
    assert.ok([1, 2].includes(initial.state.id), `state ${initial.state.id}`);
    const { video: done, progress } = await published(uploaded.id);
    assert.ok(progress.every((value, position) => position === 0 || value >= progress[position - 1]), `progress ${progress}`);
    await assertPlayable(done);
  });

  it('PeerTube multipart upload', async () => {
    const form = new FormData();
    form.set('channelId', String(channelId));
    form.set('name', 'multipart upload');
    form.set('privacy', '1');
    form.set('videofile', new Blob([new Uint8Array(video)], { type: 'video/mp4' }), 'clip.mp4');
    const response = await fetch(`${server.baseUrl}/api/v1/videos/upload`, { method: 'POST', headers: auth(), body: form });
    const body = await response.json() as any;
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.ok(body.video.id && body.video.uuid && body.video.shortUUID);
    await assertPlayable((await published(body.video.id)).video);
  });

  it('PeerTube resumable upload: POST, then PUT in two chunks', async () => {
    const start = await fetch(`${server.baseUrl}/api/v1/videos/upload-resumable`, {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json', 'X-Upload-Content-Length': String(video.length), 'X-Upload-Content-Type': 'video/mp4' },
      body: JSON.stringify({ channelId, name: 'resumable upload', privacy: 1, filename: 'clip.mp4' }),
    });
    assert.equal(start.status, 201, await start.clone().text());
    const location = start.headers.get('location')!;
    assert.match(location, /upload_id=/);
    const url = new URL(location, server.baseUrl).href;
    const half = Math.floor(video.length / 2);
    const put = (from: number, to: number) => fetch(url, {
      method: 'PUT',
      headers: { ...auth(), 'Content-Type': 'application/octet-stream', 'Content-Range': `bytes ${from}-${to - 1}/${video.length}` },
      body: new Uint8Array(video.subarray(from, to)),
    });
    const first = await put(0, half);
    assert.equal(first.status, 308);
    assert.equal(first.headers.get('range'), `bytes=0-${half - 1}`);
    const last = await put(half, video.length);
    const body = await last.json() as any;
    assert.equal(last.status, 200, JSON.stringify(body));
    await assertPlayable((await published(body.video.id)).video);
  });

  it('a corrupt file: the video is marked failed with a reason, and the server goes on', async () => {
    const form = new FormData();
    form.set('channelId', String(channelId));
    form.set('name', 'corrupt upload');
    form.set('videofile', new Blob([randomBytes(CORRUPT_BYTES)], { type: 'video/mp4' }), 'broken.mp4');
    const response = await fetch(`${server.baseUrl}/api/v1/videos/upload`, { method: 'POST', headers: auth(), body: form });
    const body = await response.json() as any;
    assert.equal(response.status, 200, JSON.stringify(body));
    const failed = await waitFor('the failure', async () => {
      const current = await videoOf(body.video.id);
      return current.state.id === 7 ? current : undefined;
    }, { timeoutMs: 60_000, intervalMs: 300 });
    assert.equal(failed.state.label, 'Transcoding failed');
    assert.match(failed.error, /\w+/);
    assert.deepEqual(failed.streamingPlaylists, []);
    assert.equal((await admin.get('/api/v1/videos')).status, 200);
  });

  it('a password-protected multipart upload needs videoPasswords, then asks viewers for it', async () => {
    // A few bytes are enough (well within the quota's slack): the video exists as soon as it is uploaded.
    const upload = (passwords: string[]) => {
      const form = new FormData();
      form.set('channelId', String(channelId));
      form.set('name', 'password upload');
      form.set('privacy', '5');
      passwords.forEach((password, index) => form.set(`videoPasswords[${index}]`, password));
      form.set('videofile', new Blob([randomBytes(2000)], { type: 'video/mp4' }), 'secret.mp4');
      return fetch(`${server.baseUrl}/api/v1/videos/upload`, { method: 'POST', headers: auth(), body: form });
    };
    const refused = await upload([]);
    const refusal = await refused.json() as any;
    assert.deepEqual([refused.status, refusal.code], [400, 'video_password_required']);
    const accepted = await upload(['upload-pass']);
    const body = await accepted.json() as any;
    assert.equal(accepted.status, 200, JSON.stringify(body));
    const url = `${server.baseUrl}/api/v1/videos/${body.video.id}`;
    assert.equal(((await (await fetch(url)).json()) as any).code, 'video_requires_password');
    assert.equal((await fetch(url, { headers: { 'x-peertube-video-password': 'upload-pass' } })).status, 200);
    assert.equal((await videoOf(body.video.id)).privacy.id, 5);
  });

  it('an oversized upload is refused with 413 before its body is read', async () => {
    const tooBig = String(video.length * 2 + 1);
    const tusCreate = await fetch(`${server.baseUrl}/api/v1/uploads/tus`, {
      method: 'POST',
      headers: { ...auth(), 'Tus-Resumable': '1.0.0', 'Upload-Length': tooBig,
        'Upload-Metadata': `channelId ${Buffer.from(String(channelId)).toString('base64')},name ${Buffer.from('too big').toString('base64')}` },
    });
    assert.equal(tusCreate.status, 413);
    const resumable = await fetch(`${server.baseUrl}/api/v1/videos/upload-resumable`, {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json', 'X-Upload-Content-Length': tooBig },
      body: JSON.stringify({ channelId, name: 'too big' }),
    });
    assert.equal(resumable.status, 413);
    const form = new FormData();
    form.set('channelId', String(channelId));
    form.set('name', 'too big');
    form.set('videofile', new Blob([Buffer.alloc(video.length * 2 + 100_000)]), 'big.mp4');
    const multipart = await fetch(`${server.baseUrl}/api/v1/videos/upload`, { method: 'POST', headers: auth(), body: form });
    assert.equal(multipart.status, 413);
  });

  it('an upload over the user quota is refused with 403', async () => {
    // A user of its own, whose quota three copies fill: an unfinished upload holds its declared size.
    const { token, channelId } = await createUploader(admin, 'quotafiller');
    const auth = () => ({ Authorization: `Bearer ${token}` });
    const start = (name: string) => fetch(`${server.baseUrl}/api/v1/videos/upload-resumable`, {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json', 'X-Upload-Content-Length': String(video.length) },
      body: JSON.stringify({ channelId, name }),
    });
    for (const copy of [1, 2, 3]) assert.equal((await start(`copy ${copy}`)).status, 201);
    const response = await start('over quota');
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as any).code, 'quota_reached');
    const tusCreate = await fetch(`${server.baseUrl}/api/v1/uploads/tus`, {
      method: 'POST',
      headers: { ...auth(), 'Tus-Resumable': '1.0.0', 'Upload-Length': String(video.length),
        'Upload-Metadata': `channelId ${Buffer.from(String(channelId)).toString('base64')},name ${Buffer.from('over quota').toString('base64')}` },
    });
    assert.equal(tusCreate.status, 403);
  });
});
