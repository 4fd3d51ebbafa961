// The API's rules, in this process (test/helpers/in-process.ts: buildApp on the real services and an
// embedded Postgres, through app.inject, no server spawned): authentication and passwords, who sees
// and changes what, privacy (unlisted by numeric id, privacy 5's passwords), 4xx codes and validation,
// and the upload quota. The rules that need media or sockets stay on a real server (api.test.ts,
// protected-media.test.ts, unlisted-by-id.test.ts, uploads-quota.test.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcessApp, type InProcessApp } from '../helpers/in-process.ts';
import type { ApiClient } from '../helpers/api.ts';
import { createUploader, tusCreate } from '../helpers/uploads.ts';

/** The app of the first two suites (default settings); the quota suite has its own. */
let harness: InProcessApp;

before(async () => {
  const started = performance.now();
  harness = await startInProcessApp();
  console.log(`# in-process app started in ${Math.round(performance.now() - started)} ms`);
});

after(async () => {
  await harness?.close();
});

describe('REST API', () => {
  let admin: ApiClient;
  /** A second user, who owns nothing the tests create. */
  let other: ApiClient;

  before(async () => {
    admin = await harness.admin();
    assert.equal((await admin.post('/api/v1/users', { username: 'olivia', password: 'olivia-password', email: 'olivia@example.org' })).status, 200);
    other = harness.client();
    assert.equal((await other.login('olivia', 'olivia-password')).status, 200);
  });

  // Moved from api.test.ts.
  it('refuses a wrong password and a wrong client', async () => {
    const anonymous = harness.client();
    const wrong = await anonymous.login('root', 'not-the-password');
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.code, 'invalid_grant');
    const badClient = await anonymous.request('POST', '/api/v1/users/token',
      { client_id: 'x', client_secret: 'y', grant_type: 'password', username: 'root', password: 'x' }, true);
    assert.equal(badClient.status, 400);
    assert.equal(badClient.body.code, 'invalid_client');
  });

  // Moved from api.test.ts.
  it('refreshes a token once, and revokes it', async () => {
    const client = harness.client();
    const login = await client.login('root', 'admin-password-1');
    const local = (await client.get('/api/v1/oauth-clients/local')).body;
    const refresh = { client_id: local.client_id, client_secret: local.client_secret, grant_type: 'refresh_token', refresh_token: login.body.refresh_token };
    const refreshed = await client.request('POST', '/api/v1/users/token', refresh, true);
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.body.access_token, login.body.access_token);
    assert.equal((await client.request('POST', '/api/v1/users/token', refresh, true)).status, 400, 'a refresh token is single-use');
    assert.equal((await client.get('/api/v1/users/me')).status, 401, 'the old access token died with its refresh');
    client.token = refreshed.body.access_token;
    assert.equal((await client.get('/api/v1/users/me')).status, 200);
    assert.equal((await client.post('/api/v1/users/revoke-token')).status, 200);
    assert.equal((await client.get('/api/v1/users/me')).status, 401);
  });

  // Moved from api.test.ts.
  it('lets only admins create users, and keeps sign-up closed by default', async () => {
    const body = { username: 'bob', password: 'bob-password', email: 'bob@example.org' };
    assert.equal((await harness.client().post('/api/v1/users', body)).status, 401);
    assert.equal((await admin.post('/api/v1/users', body)).status, 200);
    assert.equal((await admin.post('/api/v1/users', body)).status, 409, 'a username is taken once');
    const bob = harness.client();
    await bob.login('bob', 'bob-password');
    assert.equal((await bob.post('/api/v1/users', { ...body, username: 'carol', email: 'c@example.org' })).status, 403);
    const me = (await bob.get('/api/v1/users/me')).body;
    assert.equal(me.username, 'bob');
    assert.equal(me.videoChannels.length, 1, 'each user gets a default channel');
    const register = await harness.client().post('/api/v1/users/register', { username: 'dave', password: 'dave-password', email: 'd@example.org' });
    assert.equal(register.status, 403);
  });

  // Moved from api.test.ts ("another user" was bob, made by the test above; now olivia, made in before()).
  it('shows the stream key and RTMP URL only to the owner and admins', async () => {
    const owner = harness.client();
    await admin.post('/api/v1/users', { username: 'erin', password: 'erin-password', email: 'erin@example.org' });
    await owner.login('erin', 'erin-password');
    const live = await owner.createLive({ name: 'Erin live', latencyMode: 3 });
    assert.match(live.streamKey, /^[0-9a-f-]{36}$/);
    const asOwner = (await owner.get(`/api/v1/videos/live/${live.id}`)).body;
    assert.equal(asOwner.rtmpUrl, `rtmp://127.0.0.1:${harness.rtmpPort}/live`);
    assert.equal(asOwner.whipUrl, `${harness.baseUrl}/api/v1/whip`);
    assert.match(asOwner.srtUrl, new RegExp(`^srt://127\\.0\\.0\\.1:\\d+\\?streamid=${live.streamKey}$`));
    assert.equal(asOwner.latencyMode, 3);
    assert.equal((await admin.get(`/api/v1/videos/live/${live.id}`)).body.streamKey, live.streamKey);
    const anonymous = (await harness.client().get(`/api/v1/videos/live/${live.id}`)).body;
    assert.equal(anonymous.streamKey, undefined);
    assert.equal(anonymous.rtmpUrl, undefined);
    assert.equal(anonymous.srtUrl, undefined, 'the SRT URL holds the key');
    assert.equal(anonymous.whipUrl, undefined);
    assert.equal((await other.get(`/api/v1/videos/live/${live.id}`)).body.streamKey, undefined);
    assert.equal((await other.put(`/api/v1/videos/live/${live.id}`, { permanentLive: true })).status, 403);
    assert.equal((await other.get(`/api/v1/videos/live/${live.id}/sessions`)).status, 403);
    const otherChannel = (await other.get('/api/v1/users/me')).body.videoChannels[0].id;
    const erinChannel = (await owner.get('/api/v1/users/me')).body.videoChannels[0].id;
    assert.notEqual(otherChannel, erinChannel);
    assert.equal((await other.post('/api/v1/videos/live', { channelId: erinChannel, name: 'Not mine' })).status, 403);
  });

  // Moved from api.test.ts.
  it('creates and updates lives with PeerTube field names', async () => {
    assert.equal((await harness.client().post('/api/v1/videos/live', { channelId: 1, name: 'anon' })).status, 401);
    assert.equal((await admin.post('/api/v1/videos/live', { channelId: 1, name: 'x' })).status, 400, 'names are 3+ characters');
    assert.equal((await admin.post('/api/v1/videos/live', { channelId: 1, name: 'Private', privacy: 3 })).status, 200, 'private lives (protected-media.test.ts)');
    assert.equal((await admin.post('/api/v1/videos/live', { channelId: 1, name: 'Locked', privacy: 5 })).status, 400, 'privacy 5 needs videoPasswords');
    const live = await admin.createLive({ name: 'Settings', saveReplay: true, replaySettings: { privacy: 3 }, privacy: 2 });
    let settings = (await admin.get(`/api/v1/videos/live/${live.id}`)).body;
    assert.deepEqual([settings.saveReplay, settings.replaySettings, settings.permanentLive, settings.latencyMode], [true, { privacy: 3 }, false, 1]);
    assert.equal((await admin.put(`/api/v1/videos/live/${live.id}`, { permanentLive: true, latencyMode: 2, replaySettings: { privacy: 1 } })).status, 204);
    settings = (await admin.get(`/api/v1/videos/live/${live.id}`)).body;
    assert.deepEqual([settings.replaySettings, settings.permanentLive, settings.latencyMode], [{ privacy: 1 }, true, 2]);
    assert.equal((await admin.put(`/api/v1/videos/live/${live.id}`, { saveReplay: false })).status, 204);
    assert.equal((await admin.get(`/api/v1/videos/live/${live.id}`)).body.replaySettings, null);
    assert.equal((await admin.put(`/api/v1/videos/${live.id}`, { name: 'Renamed live', privacy: 1 })).status, 204);

    for (const ref of [String(live.id), live.uuid, live.shortUUID]) {
      const video = await admin.get(`/api/v1/videos/${ref}`);
      assert.equal(video.status, 200, ref);
      assert.equal(video.body.name, 'Renamed live');
      assert.equal(video.body.isLive, true);
      assert.deepEqual(video.body.state, { id: 4, label: 'Waiting for livestream' });
    }
    assert.equal((await admin.get('/api/v1/videos/not-a-video')).status, 404);
    assert.equal((await admin.get('/api/v1/videos/999999')).status, 404);
  });

  // Moved from api.test.ts (the public video it lists was made by the test above; now made here).
  it('lists public videos and leaves unlisted ones out', async () => {
    await admin.createLive({ name: 'Public one', privacy: 1 });
    const unlisted = await admin.createLive({ name: 'Hidden one', privacy: 2 });
    const list = (await admin.get('/api/v1/videos?count=100')).body;
    assert.ok(list.total >= 1);
    assert.ok(!list.data.some((video: { id: number }) => video.id === unlisted.id));
    assert.equal((await admin.get(`/api/v1/videos/${unlisted.shortUUID}`)).status, 200, 'unlisted is reachable by its link');
    const mine = (await admin.get('/api/v1/users/me/videos?count=100')).body;
    assert.ok(mine.data.some((video: { id: number }) => video.id === unlisted.id), 'the owner lists their unlisted lives');
    assert.ok(!(await other.get('/api/v1/users/me/videos')).body.data.some((video: { id: number }) => video.id === unlisted.id));
    assert.equal((await harness.client().get('/api/v1/users/me/videos')).status, 401);
    const liveNow = (await admin.get('/api/v1/videos?isLive=true&state=1')).body;
    assert.equal(liveNow.total, 0);
  });

  // Moved from api.test.ts.
  it('lets a user change their password, which signs out their other sessions', async () => {
    await admin.post('/api/v1/users', { username: 'frank', password: 'frank-password', email: 'frank@example.org' });
    const here = harness.client();
    const elsewhere = harness.client();
    await here.login('frank', 'frank-password');
    await elsewhere.login('frank', 'frank-password');
    assert.equal((await here.put('/api/v1/users/me', { currentPassword: 'wrong-one', password: 'new-frank-password' })).status, 401);
    assert.equal((await here.put('/api/v1/users/me', { currentPassword: 'frank-password', password: 'new-frank-password' })).status, 204);
    assert.equal((await here.get('/api/v1/users/me')).status, 200, 'this session stays');
    assert.equal((await elsewhere.get('/api/v1/users/me')).status, 401, 'the other session is signed out');
    assert.equal((await harness.client().login('frank', 'frank-password')).status, 400);
    assert.equal((await harness.client().login('frank', 'new-frank-password')).status, 200);
  });

  // Moved from api.test.ts.
  it('publishes an OpenAPI document and a docs UI', async () => {
    const document = await admin.get('/api/v1/openapi.json');
    assert.equal(document.status, 200);
    assert.match(document.body.openapi, /^3\./);
    assert.ok(document.body.paths['/api/v1/videos/live/{id}']);
    assert.ok(document.body.paths['/api/v1/users/token']);
    const docs = await harness.fetch(`${harness.baseUrl}/api/v1/docs`, { redirect: 'follow' });
    assert.equal(docs.status, 200);
  });

  // Moved from api.test.ts.
  it('answers an oversized body with 413 and unknown routes with 404', async () => {
    // Only the headers announce the size: the app refuses on the announced size without reading a body.
    const announced = await harness.app.inject({
      method: 'POST', url: '/api/v1/videos/live', payload: '',
      headers: { 'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024), authorization: `Bearer ${admin.token}` },
    });
    assert.equal(announced.statusCode, 413);
    assert.equal((await admin.get('/api/v1/nothing-here')).status, 404);
  });

  // Moved from protected-media.test.ts (the end of "keeps video passwords hashed at rest; adds, replaces and deletes them").
  it('privacy 5 needs a password: on live creation and on update', async () => {
    const me = (await admin.get('/api/v1/users/me')).body;
    const noPassword = await admin.post('/api/v1/videos/live', { channelId: me.videoChannels[0].id, name: 'No password', privacy: 5 });
    assert.deepEqual([noPassword.status, noPassword.body.code], [400, 'video_password_required']);
    const replayNoPassword = await admin.post('/api/v1/videos/live', { channelId: me.videoChannels[0].id, name: 'No password', saveReplay: true, replaySettings: { privacy: 5 } });
    assert.equal(replayNoPassword.status, 400);
    const open = await admin.createLive({ name: 'Open for now' });
    const anonymous = harness.client();
    const withPassword = (password: string) => harness.fetch(`${harness.baseUrl}/api/v1/videos/${open.id}`, { headers: { 'x-peertube-video-password': password } });
    assert.equal((await admin.put(`/api/v1/videos/${open.id}`, { privacy: 5 })).status, 400);
    assert.equal((await admin.put(`/api/v1/videos/${open.id}`, { privacy: 5, videoPasswords: ['late-pass'] })).status, 204);
    assert.equal((await anonymous.get(`/api/v1/videos/${open.id}`)).body.code, 'video_requires_password');
    assert.equal((await withPassword('late-pass')).status, 200);
    assert.equal((await admin.put(`/api/v1/videos/${open.id}`, { privacy: 1 })).status, 204);
    assert.equal((await anonymous.get(`/api/v1/videos/${open.id}`)).status, 200);
  });
});

// Moved from unlisted-by-id.test.ts: the REST routes (the chat and /live-videos sockets stay there).
describe('unlisted videos by numeric id', () => {
  let admin: ApiClient;
  let other: ApiClient;
  let anonymous: ApiClient;
  let live: { id: number; uuid: string; shortUUID: string };

  before(async () => {
    admin = await harness.admin();
    assert.equal((await admin.post('/api/v1/users', { username: 'other', password: 'other-password', email: 'other@example.org', role: 2 })).status, 200);
    other = harness.client();
    assert.equal((await other.login('other', 'other-password')).status, 200);
    anonymous = harness.client();
    live = await admin.createLive({ privacy: 2 });
  });

  /** Each path, by method and a function of the reference; the status expected by uuid (the video is found). */
  const PATHS: Array<{ method: string; path: (ref: string | number) => string; found: number; body?: unknown }> = [
    { method: 'GET', path: (ref) => `/api/v1/videos/${ref}`, found: 200 },
    { method: 'POST', path: (ref) => `/api/v1/videos/${ref}/token`, found: 200 },
    { method: 'GET', path: (ref) => `/api/v1/videos/${ref}/chapters`, found: 200 },
    { method: 'GET', path: (ref) => `/api/v1/videos/${ref}/storyboards`, found: 200 },
    { method: 'GET', path: (ref) => `/api/v1/videos/${ref}/comment-threads`, found: 200 },
    { method: 'GET', path: (ref) => `/api/v1/videos/${ref}/comment-threads/1`, found: 404 },
    { method: 'POST', path: (ref) => `/api/v1/videos/${ref}/views`, found: 204 },
    { method: 'GET', path: (ref) => `/api/v1/videos/live/${ref}`, found: 200 },
    { method: 'GET', path: (ref) => `/api/v1/videos/${ref}/chat`, found: 200 },
    { method: 'GET', path: (ref) => `/api/v1/videos/${ref}/chat/replay`, found: 200 },
  ];

  for (const { method, path, found } of PATHS) {
    it(`${method} ${path('{id}')}: 404 by id for others, found by uuid and shortUUID`, async () => {
      for (const [who, client] of [['anonymous', anonymous], ['another user', other]] as const) {
        const byId = await client.request(method, path(live.id));
        assert.equal(byId.status, 404, `${who} by id: ${JSON.stringify(byId.body)}`);
        assert.equal(byId.body.code, 'not_found');
        assert.doesNotMatch(JSON.stringify(byId.body), new RegExp(live.uuid), 'nothing of the video leaks');
        assert.equal((await client.request(method, path(live.uuid))).status, found, `${who} by uuid`);
        assert.equal((await client.request(method, path(live.shortUUID))).status, found, `${who} by shortUUID`);
      }
      assert.equal((await admin.request(method, path(live.id))).status, found, 'the owner (an admin) by id');
    });
  }

  // Its own unlisted live: a comment on the shared one would make its thread 1 exist (expected 404 above).
  it('posting a comment by id: 404', async () => {
    const commented = await admin.createLive({ privacy: 2 });
    assert.equal((await other.post(`/api/v1/videos/${commented.id}/comment-threads`, { text: 'hello' })).status, 404);
    assert.equal((await other.post(`/api/v1/videos/${commented.uuid}/comment-threads`, { text: 'hello' })).status, 200);
  });

  it('WHEP by id: not found (by uuid: found, not live)', async () => {
    const offer = async (ref: string | number) => {
      const response = await harness.fetch(`${harness.baseUrl}/api/v1/videos/${ref}/whep`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: 'v=0\r\n' });
      return ((await response.json()) as { code: string }).code;
    };
    assert.equal(await offer(live.id), 'not_found');
    assert.notEqual(await offer(live.uuid), 'not_found');
  });
});

// The upload rules (core/uploads/upload-rules.ts, unit-tested in test/unit/upload-rules.test.ts) as an
// uploader meets them, with the quota held in Postgres.
describe('upload rules', () => {
  const QUOTA = 2_000_000;
  let quotaApp: InProcessApp;
  let bob: Awaited<ReturnType<typeof createUploader>>;

  before(async () => {
    quotaApp = await startInProcessApp({ UPLOADS_USER_QUOTA_BYTES: String(QUOTA) });
    bob = await createUploader(await quotaApp.admin(), 'bob');
  });

  after(async () => {
    await quotaApp?.close();
  });

  const startResumable = (token: string, channelId: number, size: number) => quotaApp.fetch(`${quotaApp.baseUrl}/api/v1/videos/upload-resumable`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'X-Upload-Content-Length': String(size) },
    body: JSON.stringify({ channelId, name: 'quota test', filename: 'clip.mp4' }),
  });

  // Moved from uploads-quota.test.ts (the uploads with bytes and the expiry stay there).
  it('parallel creations cannot together go over the quota', async () => {
    // Each fits alone, no two fit together: exactly one of the six is accepted, whichever protocol it used.
    const size = QUOTA / 2 + 1;
    const answers = await Promise.all([0, 1, 2, 3, 4, 5].map((index) => (index % 2
      ? startResumable(bob.token, bob.channelId, size)
      : tusCreate(quotaApp.baseUrl, bob.token, { channelId: bob.channelId, name: 'quota test' }, size, quotaApp.fetch).then((created) => created.response))));
    const statuses = answers.map((answer) => answer.status).sort();
    assert.deepEqual(statuses, [201, 403, 403, 403, 403, 403]);
    const refusal = await answers.find((answer) => answer.status === 403)!.json() as any;
    assert.equal(refusal.code, 'quota_reached');
    assert.equal(refusal.status, 403);
  });

  /** The status and code of a refused resumable upload's creation, or its status (201) when accepted. */
  async function creation(token: string, fields: Record<string, unknown>, size: number): Promise<[number, string?]> {
    const response = await quotaApp.fetch(`${quotaApp.baseUrl}/api/v1/videos/upload-resumable`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'X-Upload-Content-Length': String(size) },
      body: JSON.stringify({ filename: 'clip.mp4', ...fields }),
    });
    if (response.status === 201) return [201];
    return [response.status, (await response.json() as { code: string }).code];
  }

  it('refuses an upload that alone goes over the quota, and takes one that fills it exactly', async () => {
    const uma = await createUploader(await quotaApp.admin(), 'uma');
    assert.deepEqual(await creation(uma.token, { channelId: uma.channelId, name: 'Too big' }, QUOTA + 1), [403, 'quota_reached']);
    assert.deepEqual(await creation(uma.token, { channelId: uma.channelId, name: 'Just fits' }, QUOTA), [201]);
    assert.deepEqual(await creation(uma.token, { channelId: uma.channelId, name: 'One more byte' }, 1), [403, 'quota_reached']);
  });

  it('refuses, before any byte is sent: a file over the size limit, a privacy not offered, privacy 5 without a password, a bad name, no channel', async () => {
    const victor = await createUploader(await quotaApp.admin(), 'victor');
    const valid = { channelId: victor.channelId, name: 'A video' };
    const maxFileSize = quotaApp.context.config.uploads.maxFileSizeBytes;
    assert.deepEqual(await creation(victor.token, valid, maxFileSize + 1), [413, 'max_file_size_reached']);
    assert.deepEqual(await creation(victor.token, { ...valid, privacy: 9 }, 1000), [400, 'unsupported_privacy']);
    assert.deepEqual(await creation(victor.token, { ...valid, privacy: 5 }, 1000), [400, 'video_password_required']);
    assert.deepEqual(await creation(victor.token, { ...valid, name: 'ab' }, 1000), [400, 'invalid_input']);
    assert.deepEqual(await creation(victor.token, { name: 'A video' }, 1000), [400, 'invalid_input']);
    assert.deepEqual(await creation(victor.token, { ...valid, privacy: 5, videoPasswords: ['a-password'] }, 1000), [201]);
  });
});
