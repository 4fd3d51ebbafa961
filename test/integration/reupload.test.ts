// Replays become videos: views (one per IP and video every few minutes), comments (PeerTube's
// threads, plain text, who may write and delete), and the re-upload of a video's source
// (replace-resumable): the old version plays until the new one is ready, then one switch; a
// corrupt replacement changes nothing but reports its error; the admin switch off answers 403.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { fetchText, probeVariant } from '../helpers/media.ts';
import { makeClip, resumableUpload, waitPublished } from '../helpers/uploads.ts';
import { waitFor } from '../helpers/wait.ts';
import { scenario } from '../helpers/scenario.ts';

const heightsOf = (master: string) => [...master.matchAll(/RESOLUTION=\d+x(\d+)/g)].map((match) => Number(match[1]));

describe('re-upload, comments and views', () => {
  let server: TestServer;
  let admin: ApiClient;
  let stranger: ApiClient;
  let anonymous: ApiClient;
  let channelId: number;
  let work: string;
  let clipA: Buffer;
  let clipB: Buffer;
  /** Commented and viewed by the comments and views tests. */
  let video: { id: number; uuid: string };
  /** The one whose source is replaced: it has comments and views of its own, which must stay. */
  let toReplace: { id: number; uuid: string };

  /** Uploads clip A as `name`, and waits for it to be published with its one rendition. */
  async function uploadA(name: string): Promise<{ id: number; uuid: string }> {
    const uploaded = await resumableUpload(server.baseUrl, admin.token, '/api/v1/videos/upload-resumable',
      { channelId, name, privacy: 1, filename: 'a.mp4' }, clipA);
    assert.equal(uploaded.status, 200, await uploaded.clone().text());
    const created = ((await uploaded.json()) as any).video;
    const published = await waitPublished(admin, created.id);
    assert.match(published.streamingPlaylists[0].playlistUrl, /\/vod-1\/master\.m3u8$/);
    assert.deepEqual(heightsOf(await fetchText(`${server.baseUrl}${published.streamingPlaylists[0].playlistUrl}`)), [240]);
    return created;
  }

  const view = (target: { uuid: string }, ip: string) => fetch(`${server.baseUrl}/api/v1/videos/${target.uuid}/views`, {
    method: 'POST', headers: { 'X-Forwarded-For': ip, 'Content-Type': 'application/json' }, body: JSON.stringify({ currentTime: 1 }),
  });

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'livecast-reupload-'));
    clipA = makeClip(join(work, 'a.mp4'), '640x360', 6);
    clipB = makeClip(join(work, 'b.mp4'), '854x480', 4);
    server = await createTestServer({
      UPLOADS_ALLOW_REPLACE: 'true',
      // A (360p) gets one rendition, B (480p) two: the master says which one plays.
      TRANSCODING_LADDER: JSON.stringify([{ height: 480, videoBitrateKbps: 900 }, { height: 240, videoBitrateKbps: 300 }]),
    });
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
    anonymous = new ApiClient(server.baseUrl);
    channelId = (await admin.get('/api/v1/users/me')).body.videoChannels[0].id;
    assert.equal((await admin.post('/api/v1/users', { username: 'stranger', password: 'stranger-password', email: 's@example.org' })).status, 200);
    stranger = new ApiClient(server.baseUrl);
    assert.equal((await stranger.login('stranger', 'stranger-password')).status, 200);
    [video, toReplace] = await Promise.all([uploadA('video A'), uploadA('video A')]);
    // What a video has when its source is replaced, and keeps: two comments and three views.
    for (const [author, text] of [[admin, 'First!'], [stranger, 'Second']] as const) {
      assert.equal((await author.post(`/api/v1/videos/${toReplace.id}/comment-threads`, { text })).status, 200);
    }
    for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) assert.equal((await view(toReplace, ip)).status, 204);
    assert.equal((await admin.get(`/api/v1/videos/${toReplace.id}`)).body.views, 3);
  });

  after(async () => {
    await server?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const threadsOf = (target: { id: number }) => `/api/v1/videos/${target.id}/comment-threads`;
  const threads = () => threadsOf(video);

  it('comments: validation, 401 for anonymous, plain text, replies, delete rights', async () => {
    assert.equal((await anonymous.post(threads(), { text: 'hello' })).status, 401);
    assert.equal((await admin.post(threads(), { text: '' })).status, 400);
    assert.equal((await admin.post(threads(), { text: '   ' })).status, 400);
    assert.equal((await admin.post(threads(), {})).status, 400);
    assert.equal((await admin.post(threads(), { text: 'x'.repeat(10001) })).status, 400);

    const first = await admin.post(threads(), { text: 'First!' });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.comment.text, 'First!');
    assert.equal(first.body.comment.threadId, first.body.comment.id);
    assert.equal(first.body.comment.account.name, 'root');
    const html = '<b>bold</b> & <script>alert(1)</script>';
    const second = await stranger.post(threads(), { text: html });
    assert.equal(second.status, 200);
    assert.equal(second.body.comment.text, html, 'stored and answered as written, as plain text');

    const reply = await stranger.post(`/api/v1/videos/${video.uuid}/comments/${first.body.comment.id}`, { text: 'a reply' });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.body.comment.threadId, first.body.comment.id);
    assert.equal(reply.body.comment.inReplyToCommentId, first.body.comment.id);
    const thread = await anonymous.get(`${threads()}/${first.body.comment.id}`);
    assert.equal(thread.status, 200);
    assert.equal(thread.body.comment.text, 'First!');
    assert.deepEqual(thread.body.children.map((child: any) => child.comment.text), ['a reply']);

    const list = await anonymous.get(threads());
    assert.equal(list.status, 200);
    assert.equal(list.body.total, 2);
    assert.deepEqual(list.body.data.map((comment: any) => comment.text), [html, 'First!'], 'newest first');
    assert.equal(list.body.data[1].totalReplies, 1);
    assert.equal(list.body.data[1].account.displayName, 'root');

    // The stranger may delete their own reply, not the admin's comment; nobody anonymous.
    assert.equal((await anonymous.request('DELETE', `/api/v1/videos/${video.id}/comments/${first.body.comment.id}`)).status, 401);
    assert.equal((await stranger.request('DELETE', `/api/v1/videos/${video.id}/comments/${first.body.comment.id}`)).status, 403);
    assert.equal((await stranger.request('DELETE', `/api/v1/videos/${video.id}/comments/${reply.body.comment.id}`)).status, 204);
    assert.equal((await anonymous.get(threads())).body.data[1].totalReplies, 0);
    assert.equal((await anonymous.get(`${threads()}/999999`)).status, 404);
  });

  it('views: one per IP and video within the window', async () => {
    for (let time = 0; time < 3; time++) assert.equal((await view(video, '10.0.0.1')).status, 204);
    assert.equal((await admin.get(`/api/v1/videos/${video.id}`)).body.views, 1, 'three views from one IP count once');
    assert.equal((await view(video, '10.0.0.2')).status, 204);
    assert.equal((await view(video, '10.0.0.3')).status, 204);
    assert.equal((await view(video, '10.0.0.2')).status, 204);
    assert.equal((await admin.get(`/api/v1/videos/${video.id}`)).body.views, 3);
    assert.equal((await fetch(`${server.baseUrl}/api/v1/videos/999999/views`, { method: 'POST' })).status, 404);
  });

  // One video, replaced twice: the second replacement (corrupt) starts from what the first one made.
  const replacing = scenario('the source of a video is replaced, then replaced by a corrupt file');

  replacing.step('re-upload: the old version plays until the new one is ready, then one switch', async () => {
    const replacePath = `/api/v1/videos/${toReplace.id}/source/replace-resumable`;
    // Only the owner (or an admin); a stranger is refused before sending any byte.
    assert.equal((await resumableUpload(server.baseUrl, stranger.token, replacePath, { filename: 'b.mp4' }, clipB)).status, 403);
    assert.equal((await resumableUpload(server.baseUrl, undefined, replacePath, { filename: 'b.mp4' }, clipB)).status, 401);
    const before = (await admin.get(`/api/v1/videos/${toReplace.id}`)).body;
    assert.equal(before.inputFileUpdatedAt, null);
    const oldMaster = `${server.baseUrl}${before.streamingPlaylists[0].playlistUrl}`;
    const oldFolder = join(server.dataDir, 'streaming-playlists', 'hls', toReplace.uuid, 'vod-1');
    assert.ok(existsSync(oldFolder));

    const replaced = await resumableUpload(server.baseUrl, admin.token, replacePath, { filename: 'b.mp4' }, clipB);
    assert.equal(replaced.status, 204, await replaced.clone().text());

    // While it processes: same state, same media, and it plays.
    const during = (await admin.get(`/api/v1/videos/${toReplace.id}`)).body;
    assert.equal(during.state.id, 1);
    if (during.inputFileUpdatedAt === null) {
      assert.equal(`${server.baseUrl}${during.streamingPlaylists[0].playlistUrl}`, oldMaster);
      assert.deepEqual(heightsOf(await fetchText(oldMaster)), [240]);
      const streams = await probeVariant(new URL('0/index.m3u8', oldMaster).href).catch((error: Error) => {
        // The switch may have happened during the probe: then the new version must be there.
        return admin.get(`/api/v1/videos/${toReplace.id}`).then((now) => {
          if (now.body.inputFileUpdatedAt === null) throw error;
          return [{ codec_type: 'video', codec_name: 'h264', height: 240 }];
        });
      });
      assert.ok(streams.some((stream: any) => stream.codec_type === 'video' && stream.height === 240));
    } else {
      console.log('# the replacement finished before the first look: the no-gap check relies on the polling below');
    }

    // Every look until it is done: published, and whatever the API points at answers 200.
    let looks = 0;
    const done = await waitFor('the replacement', async () => {
      const current = (await admin.get(`/api/v1/videos/${toReplace.id}`)).body;
      assert.equal(current.state.id, 1, 'the state never changes');
      assert.equal(current.streamingPlaylists.length, 1, 'always something to play');
      const master = await fetch(`${server.baseUrl}${current.streamingPlaylists[0].playlistUrl}`);
      if (master.status !== 200) {
        // Only acceptable if the switch happened between the two requests.
        const now = (await admin.get(`/api/v1/videos/${toReplace.id}`)).body;
        assert.notEqual(now.streamingPlaylists[0].playlistUrl, current.streamingPlaylists[0].playlistUrl, `master answered ${master.status}`);
      }
      looks++;
      return current.inputFileUpdatedAt ? current : undefined;
    }, { timeoutMs: 120_000, intervalMs: 200 });
    assert.ok(looks >= 1);

    assert.equal(done.id, toReplace.id);
    assert.equal(done.uuid, toReplace.uuid);
    assert.equal(done.name, 'video A');
    assert.equal(done.url, before.url);
    assert.equal(done.views, 3, 'views stay');
    assert.ok(!Number.isNaN(Date.parse(done.inputFileUpdatedAt)));
    assert.equal(done.error, undefined);
    assert.equal(done.processingProgress, 100);
    assert.ok(Math.abs(done.duration - 4) <= 1, `duration ${done.duration} (B is 4 s)`);
    const newMaster = `${server.baseUrl}${done.streamingPlaylists[0].playlistUrl}`;
    assert.match(newMaster, /\/vod-2\/master\.m3u8$/);
    assert.deepEqual(heightsOf(await fetchText(newMaster)), [480, 240], 'the master is B\'s');
    const streams = await probeVariant(new URL('0/index.m3u8', newMaster).href);
    assert.ok(streams.some((stream) => stream.codec_type === 'video' && stream.height === 480));
    assert.match(done.thumbnailPath, /\/vod-2\//);
    assert.equal((await fetch(`${server.baseUrl}${done.thumbnailPath}`)).status, 200);
    assert.equal((await anonymous.get(threadsOf(toReplace))).body.total, 2, 'comments stay');
    assert.equal(existsSync(oldFolder), false, 'the old folder is gone');
    assert.equal((await fetch(oldMaster)).status, 404);
    // The storyboard is made again from the new media.
    const storyboard = await waitFor('the new storyboard', async () => {
      const listed = (await admin.get(`/api/v1/videos/${toReplace.id}/storyboards`)).body;
      return listed.storyboards[0]?.storyboardPath.includes('/vod-2/') ? listed.storyboards[0] : undefined;
    }, { timeoutMs: 60_000, intervalMs: 300 });
    assert.equal((await fetch(`${server.baseUrl}${storyboard.storyboardPath}`)).status, 200);
  });

  replacing.step('a corrupt replacement leaves the current version playing and reports the error', async () => {
    const before = (await admin.get(`/api/v1/videos/${toReplace.id}`)).body;
    const replaced = await resumableUpload(server.baseUrl, admin.token, `/api/v1/videos/${toReplace.uuid}/source/replace-resumable`,
      { filename: 'broken.mp4' }, randomBytes(20_000));
    assert.equal(replaced.status, 204);
    const failed = await waitFor('the reported error', async () => {
      const current = (await admin.get(`/api/v1/videos/${toReplace.id}`)).body;
      return current.error ? current : undefined;
    }, { timeoutMs: 60_000, intervalMs: 300 });
    assert.match(failed.error, /\w+/);
    assert.equal(failed.state.id, 1, 'not marked failed');
    assert.equal(failed.inputFileUpdatedAt, before.inputFileUpdatedAt);
    assert.equal(failed.streamingPlaylists[0].playlistUrl, before.streamingPlaylists[0].playlistUrl);
    const master = `${server.baseUrl}${failed.streamingPlaylists[0].playlistUrl}`;
    assert.deepEqual(heightsOf(await fetchText(master)), [480, 240]);
    const streams = await probeVariant(new URL('0/index.m3u8', master).href);
    assert.ok(streams.some((stream) => stream.codec_type === 'video' && stream.height === 480));
    assert.equal(existsSync(join(server.dataDir, 'streaming-playlists', 'hls', toReplace.uuid, 'vod-3')), false);
  });
});

describe('re-upload switched off (the default)', () => {
  let server: TestServer;

  before(async () => {
    server = await createTestServer();
    await server.start();
  });

  after(async () => {
    await server?.destroy();
  });

  it('answers 403', async () => {
    const admin = await ApiClient.asAdmin(server.baseUrl);
    const response = await resumableUpload(server.baseUrl, admin.token, '/api/v1/videos/1/source/replace-resumable',
      { filename: 'b.mp4' }, Buffer.alloc(1000));
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as any).code, 'video_source_replacement_disabled');
  });
});
