// The user quota against unfinished uploads (issue 9, defect 9): the size an upload declares is
// reserved when it is created, so parallel creations cannot together go over the quota; an unfinished
// upload counts until it completes (then its real size counts) or expires; an abandoned upload expires
// after uploads.unfinishedExpirySeconds: its file is gone, its quota free, a HEAD on it answers 404.
// Parallel creations are tested in-process, in route-rules.test.ts; the uploads with bytes and the
// expiry (the periodic sweep), on a real server here.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { createUploader, makeClip, resumableUpload, tusCreate, tusPatch } from '../helpers/uploads.ts';
import { waitFor } from '../helpers/wait.ts';

const QUOTA = 2_000_000;
type Uploader = Awaited<ReturnType<typeof createUploader>>;
// Long enough for the steps before an upload is abandoned, on a loaded machine.
const EXPIRY_SECONDS = 10;

describe('upload quota and unfinished uploads', () => {
  let server: TestServer;
  let work: string;
  let clip: Buffer;
  let carol: Uploader;
  let dave: Uploader;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'livecast-upload-quota-'));
    clip = makeClip(join(work, 'clip.mp4'), '256x144', 1);
    server = await createTestServer({
      TRANSCODING_LADDER: JSON.stringify([{ height: 144, videoBitrateKbps: 100 }]),
      UPLOADS_USER_QUOTA_BYTES: String(QUOTA),
      UPLOADS_UNFINISHED_EXPIRY_SECONDS: String(EXPIRY_SECONDS),
    });
    await server.start();
    const admin = await ApiClient.asAdmin(server.baseUrl);
    [carol, dave] = [await createUploader(admin, 'carol'), await createUploader(admin, 'dave')];
  });

  after(async () => {
    await server?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const startResumable = (token: string, channelId: number, size: number) => fetch(`${server.baseUrl}/api/v1/videos/upload-resumable`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'X-Upload-Content-Length': String(size) },
    body: JSON.stringify({ channelId, name: 'quota test', filename: 'clip.mp4' }),
  });

  it('an unfinished upload counts toward the quota; a finished one counts its real size', async () => {
    const pending = await startResumable(carol.token, carol.channelId, QUOTA - 1000);
    assert.equal(pending.status, 201);
    assert.equal((await startResumable(carol.token, carol.channelId, 2000)).status, 403, 'the pending upload holds its declared size');
    const cancelled = await fetch(new URL(pending.headers.get('location')!, server.baseUrl), { method: 'DELETE', headers: { Authorization: `Bearer ${carol.token}` } });
    assert.equal(cancelled.status, 204);
    // Cancelled: its reservation is gone. A complete upload then counts its real size only.
    const done = await resumableUpload(server.baseUrl, carol.token, '/api/v1/videos/upload-resumable', { channelId: carol.channelId, name: 'small clip' }, clip);
    assert.equal(done.status, 200);
    assert.equal((await startResumable(carol.token, carol.channelId, QUOTA - clip.length)).status, 201);
    assert.equal((await startResumable(carol.token, carol.channelId, 1)).status, 403);
  });

  it('an abandoned upload expires: its file is gone, its quota free, and it answers 404', async () => {
    const created = await tusCreate(server.baseUrl, dave.token, { channelId: dave.channelId, name: 'abandoned' }, QUOTA - 10);
    assert.equal(created.response.status, 201);
    assert.equal((await tusPatch(created.url!, dave.token, 0, Buffer.alloc(1000, 1))).status, 204);
    const id = new URL(created.url!).pathname.split('/').pop()!;
    const file = join(server.dataDir, 'uploads', 'tus', id);
    assert.ok(existsSync(file));
    const resumable = await startResumable(dave.token, dave.channelId, 20);
    assert.equal(resumable.status, 403, 'the abandoned upload still holds the quota');

    const head = () => fetch(created.url!, { method: 'HEAD', headers: { Authorization: `Bearer ${dave.token}`, 'Tus-Resumable': '1.0.0' } });
    // Expired, it answers 404 at once; the periodic sweep then deletes its files.
    await waitFor('the abandoned upload expired and was swept', async () => ((await head()).status === 404 && !existsSync(file) ? true : undefined),
      { timeoutMs: (EXPIRY_SECONDS + 30) * 1000, intervalMs: 500 });
    assert.equal(existsSync(`${file}.json`), false, 'its state is deleted');
    assert.equal((await tusPatch(created.url!, dave.token, 1000, Buffer.alloc(10, 1))).status, 404);
    assert.equal((await startResumable(dave.token, dave.channelId, QUOTA - 10)).status, 201, 'the quota is free again');
  });
});
