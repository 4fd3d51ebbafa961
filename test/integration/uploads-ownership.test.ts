// Uploads between two real users (issue 9, defect 5 and the storage half of defect 2): whatever the
// URL (query strings, encoded or double slashes, trailing paths, one's own id in the path and the
// other's in the query), a user's HEAD, PATCH and DELETE never reach another user's upload: 404, as for
// an upload that does not exist. The owner's upload then completes with the owner's bytes. Nothing
// under data/uploads keeps a video password in clear, and originals are stored without the client's
// extension (an uploaded `.m3u8` must never be opened as a playlist).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { createUploader, makeClip, resumableUpload, tusCreate, tusPatch, waitPublished } from '../helpers/uploads.ts';

const PASSWORD = 'alice-video-secret-42';

/** Every file under `folder`, recursively. */
function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

describe('uploads of two users', () => {
  let server: TestServer;
  let work: string;
  let clip: Buffer;
  let alice: Awaited<ReturnType<typeof createUploader>>;
  let mallory: Awaited<ReturnType<typeof createUploader>>;
  /** A published video of alice's, whose source the tests try to replace. */
  let alicePublishedId: number;
  const tusBase = () => `${server.baseUrl}/api/v1/uploads/tus`;
  const half = () => Math.floor(clip.length / 2);

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'livecast-upload-owner-'));
    clip = makeClip(join(work, 'clip.mp4'), '320x240', 2);
    server = await createTestServer({
      TRANSCODING_LADDER: JSON.stringify([{ height: 240, videoBitrateKbps: 300 }]),
      UPLOADS_ALLOW_REPLACE: 'true',
    });
    await server.start();
    const admin = await ApiClient.asAdmin(server.baseUrl);
    alice = await createUploader(admin, 'alice');
    mallory = await createUploader(admin, 'mallory');
    const uploaded = await resumableUpload(server.baseUrl, alice.token, '/api/v1/videos/upload-resumable',
      { channelId: alice.channelId, name: 'alice published', filename: 'clip.mp4', privacy: 5, videoPasswords: [PASSWORD] }, clip);
    assert.equal(uploaded.status, 200);
    alicePublishedId = ((await uploaded.json()) as any).video.id;
    await waitPublished(alice.api, alicePublishedId);
  });

  after(async () => {
    await server?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function assertNoPasswordOnDisk() {
    for (const file of filesUnder(join(server.dataDir, 'uploads'))) {
      if (statSync(file).size > 10 * 1024 * 1024) continue;
      assert.ok(!readFileSync(file).includes(PASSWORD), `${file} keeps the video password in clear`);
    }
  }

  it('tus: another user reaches no upload of alice through any URL, and alice completes hers', async () => {
    const fields = { channelId: alice.channelId, name: 'alice tus', filename: 'clip.mp4', privacy: 5, videoPasswords: PASSWORD };
    const created = await tusCreate(server.baseUrl, alice.token, fields, clip.length);
    assert.equal(created.response.status, 201);
    const id = new URL(created.url!).pathname.split('/').pop()!;
    assert.equal((await tusPatch(created.url!, alice.token, 0, clip.subarray(0, half()))).status, 204);
    // Mallory's own upload, whose id the router sees while tus used to read alice's from the query.
    const own = await tusCreate(server.baseUrl, mallory.token, { channelId: mallory.channelId, name: 'mallory tus' }, clip.length);
    const ownId = new URL(own.url!).pathname.split('/').pop()!;

    const tricks = [
      `${tusBase()}?/${id}`, `${tusBase()}?x=/${id}`, `${tusBase()}/${id}`,
      `${tusBase()}/${id}/`, `${tusBase()}//${id}`, `${tusBase()}/%2F${id}`, `${tusBase()}/x/${id}`,
      `${tusBase()}/${ownId}%2F..%2F${id}`, `${tusBase()}/${ownId}/..%2F${id}`, `${server.baseUrl}/api/v1//uploads/tus/${id}`,
    ];
    const tus = { Authorization: `Bearer ${mallory.token}`, 'Tus-Resumable': '1.0.0' };
    for (const url of tricks) {
      const head = await fetch(url, { method: 'HEAD', headers: tus });
      assert.equal(head.status, 404, `HEAD ${url}`);
      assert.equal(head.headers.get('upload-metadata'), null, `HEAD ${url} shows metadata`);
      const patch = await tusPatch(url, mallory.token, half(), Buffer.alloc(clip.length - half(), 0x41));
      assert.equal(patch.status, 404, `PATCH ${url}`);
      const removed = await fetch(url, { method: 'DELETE', headers: tus });
      assert.equal(removed.status, 404, `DELETE ${url}`);
    }
    // Her own id in the path, alice's in the query: what answers is her own upload (offset 0), never alice's.
    const mixed = `${tusBase()}/${ownId}?/${id}`;
    const mixedHead = await fetch(mixed, { method: 'HEAD', headers: tus });
    assert.ok(mixedHead.status === 404 || mixedHead.headers.get('upload-offset') === '0', `HEAD ${mixed} answers alice's upload`);
    assert.notEqual((await tusPatch(mixed, mallory.token, half(), Buffer.alloc(clip.length - half(), 0x41))).status, 204, `PATCH ${mixed}`);

    assertNoPasswordOnDisk();
    const head = await fetch(created.url!, { method: 'HEAD', headers: { Authorization: `Bearer ${alice.token}`, 'Tus-Resumable': '1.0.0' } });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('upload-offset'), String(half()), 'nobody else wrote into the upload');
    assert.ok(!(head.headers.get('upload-metadata') ?? '').includes(Buffer.from(PASSWORD).toString('base64')), 'no password in the metadata');
    const done = await tusPatch(created.url!, alice.token, half(), clip.subarray(half()));
    assert.equal(done.status, 200);
    const aliceVideoId = Number(done.headers.get('x-video-id'));
    // Mallory's bytes would not transcode: the video plays alice's clip.
    const video = await waitPublished(alice.api, aliceVideoId);
    assert.ok(Math.abs(video.duration - 2) <= 1, `duration ${video.duration}`);
  });

  it('PeerTube resumable: another user can neither send chunks to nor cancel alice\'s upload', async () => {
    const path = '/api/v1/videos/upload-resumable';
    const start = await fetch(`${server.baseUrl}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${alice.token}`, 'Content-Type': 'application/json', 'X-Upload-Content-Length': String(clip.length) },
      body: JSON.stringify({ channelId: alice.channelId, name: 'alice resumable', filename: 'clip.m3u8', privacy: 5, videoPasswords: [PASSWORD] }),
    });
    assert.equal(start.status, 201);
    const url = new URL(start.headers.get('location')!, server.baseUrl);
    const id = url.searchParams.get('upload_id')!;
    const put = (target: string, token: string, from: number, bytes: Buffer) => fetch(target, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/octet-stream', 'Content-Range': `bytes ${from}-${from + bytes.length - 1}/${clip.length}` },
      body: new Uint8Array(bytes),
    });
    assert.equal((await put(url.href, alice.token, 0, clip.subarray(0, half()))).status, 308);

    const tricks = [
      url.href, `${url.href}&upload_id=${id}`, `${server.baseUrl}${path}/?upload_id=${id}`, `${server.baseUrl}${path}?upload_id=${id}%00`,
      `${server.baseUrl}/api/v1/videos/${alicePublishedId}/source/replace-resumable?upload_id=${id}`,
    ];
    for (const target of tricks) {
      const status = (await put(target, mallory.token, half(), Buffer.alloc(clip.length - half(), 0x41))).status;
      assert.ok(status === 404 || status === 403, `PUT ${target}: ${status}`);
      const removed = await fetch(target, { method: 'DELETE', headers: { Authorization: `Bearer ${mallory.token}` } });
      assert.ok(removed.status === 404 || removed.status === 403, `DELETE ${target}: ${removed.status}`);
    }
    assertNoPasswordOnDisk();
    const done = await put(url.href, alice.token, half(), clip.subarray(half()));
    assert.equal(done.status, 200);
    const video = await waitPublished(alice.api, (await done.json() as any).video.id);
    assert.ok(Math.abs(video.duration - 2) <= 1, `duration ${video.duration}`);
  });

  it('a replacement of alice\'s source is hers alone, and keeps no password on disk', async () => {
    const path = `/api/v1/videos/${alicePublishedId}/source/replace-resumable`;
    const start = await fetch(`${server.baseUrl}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${alice.token}`, 'Content-Type': 'application/json', 'X-Upload-Content-Length': String(clip.length) },
      body: JSON.stringify({ filename: 'again.mp4' }),
    });
    assert.equal(start.status, 201);
    const url = new URL(start.headers.get('location')!, server.baseUrl);
    const id = url.searchParams.get('upload_id')!;
    for (const target of [url.href, `${server.baseUrl}/api/v1/videos/upload-resumable?upload_id=${id}`]) {
      const removed = await fetch(target, { method: 'DELETE', headers: { Authorization: `Bearer ${mallory.token}` } });
      assert.ok(removed.status === 404 || removed.status === 403, `DELETE ${target}: ${removed.status}`);
    }
    assert.equal((await fetch(url.href, { method: 'DELETE', headers: { Authorization: `Bearer ${alice.token}` } })).status, 204);
  });

  it('originals are stored without the client\'s extension', async () => {
    const done = await resumableUpload(server.baseUrl, alice.token, '/api/v1/videos/upload-resumable',
      { channelId: alice.channelId, name: 'named like a playlist', filename: 'clip.m3u8' }, clip);
    assert.equal(done.status, 200);
    const videoId = ((await done.json()) as any).video.id;
    // Where the original went is only written in its transcoding job (the job deletes it once done).
    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    try {
      const { rows: [job] } = await client.query<{ source: string }>(
        "SELECT data->>'source' AS source FROM pgboss.job WHERE name = 'vod-transcode' AND (data->>'videoId')::int = $1", [videoId]);
      const name = job.source.split('/').pop()!;
      assert.doesNotMatch(name, /\./, `the original ${name} keeps an extension`);
    } finally {
      await client.end();
    }
    const video = await waitPublished(alice.api, videoId);
    assert.ok(Math.abs(video.duration - 2) <= 1, `duration ${video.duration}`);
  });
});
