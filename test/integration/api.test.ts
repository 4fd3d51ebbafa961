// The REST API as PeerTube clients use it: OAuth, users, lives, video lookups, OpenAPI.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { request } from 'node:http';

/** The status answered to a JSON POST that announces `length` bytes of body, before any is sent. */
function announcedBodyStatus(url: string, length: number, token: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(length), authorization: `Bearer ${token}` },
    }, (response) => {
      response.resume();
      resolve(response.statusCode);
      outgoing.destroy();
    });
    outgoing.on('error', reject);
    outgoing.setTimeout(10_000, () => outgoing.destroy(new Error('no answer within 10 s')));
    outgoing.flushHeaders();
  });
}

describe('REST API', () => {
  let server: TestServer;
  let admin: ApiClient;

  before(async () => {
    server = await createTestServer();
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
  });

  after(async () => {
    await server?.destroy();
  });

  it('refuses a wrong password and a wrong client', async () => {
    const anonymous = new ApiClient(server.baseUrl);
    const wrong = await anonymous.login('root', 'not-the-password');
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.code, 'invalid_grant');
    const badClient = await anonymous.request('POST', '/api/v1/users/token',
      { client_id: 'x', client_secret: 'y', grant_type: 'password', username: 'root', password: 'x' }, true);
    assert.equal(badClient.status, 400);
    assert.equal(badClient.body.code, 'invalid_client');
  });

  it('refreshes a token once, and revokes it', async () => {
    const client = new ApiClient(server.baseUrl);
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

  it('lets only admins create users, and keeps sign-up closed by default', async () => {
    const body = { username: 'bob', password: 'bob-password', email: 'bob@example.org' };
    assert.equal((await new ApiClient(server.baseUrl).post('/api/v1/users', body)).status, 401);
    assert.equal((await admin.post('/api/v1/users', body)).status, 200);
    assert.equal((await admin.post('/api/v1/users', body)).status, 409, 'a username is taken once');
    const bob = new ApiClient(server.baseUrl);
    await bob.login('bob', 'bob-password');
    assert.equal((await bob.post('/api/v1/users', { ...body, username: 'carol', email: 'c@example.org' })).status, 403);
    const me = (await bob.get('/api/v1/users/me')).body;
    assert.equal(me.username, 'bob');
    assert.equal(me.videoChannels.length, 1, 'each user gets a default channel');
    const register = await new ApiClient(server.baseUrl).post('/api/v1/users/register', { username: 'dave', password: 'dave-password', email: 'd@example.org' });
    assert.equal(register.status, 403);
  });

  it('shows the stream key and RTMP URL only to the owner and admins', async () => {
    const owner = new ApiClient(server.baseUrl);
    await admin.post('/api/v1/users', { username: 'erin', password: 'erin-password', email: 'erin@example.org' });
    await owner.login('erin', 'erin-password');
    const live = await owner.createLive({ name: 'Erin live', latencyMode: 3 });
    assert.match(live.streamKey, /^[0-9a-f-]{36}$/);
    const asOwner = (await owner.get(`/api/v1/videos/live/${live.id}`)).body;
    assert.equal(asOwner.rtmpUrl, `rtmp://127.0.0.1:${server.rtmpPort}/live`);
    assert.equal(asOwner.whipUrl, `${server.baseUrl}/api/v1/whip`);
    assert.match(asOwner.srtUrl, new RegExp(`^srt://127\\.0\\.0\\.1:\\d+\\?streamid=${live.streamKey}$`));
    assert.equal(asOwner.latencyMode, 3);
    assert.equal((await admin.get(`/api/v1/videos/live/${live.id}`)).body.streamKey, live.streamKey);
    const anonymous = (await new ApiClient(server.baseUrl).get(`/api/v1/videos/live/${live.id}`)).body;
    assert.equal(anonymous.streamKey, undefined);
    assert.equal(anonymous.rtmpUrl, undefined);
    assert.equal(anonymous.srtUrl, undefined, 'the SRT URL holds the key');
    assert.equal(anonymous.whipUrl, undefined);
    const other = new ApiClient(server.baseUrl);
    await other.login('bob', 'bob-password');
    assert.equal((await other.get(`/api/v1/videos/live/${live.id}`)).body.streamKey, undefined);
    assert.equal((await other.put(`/api/v1/videos/live/${live.id}`, { permanentLive: true })).status, 403);
    assert.equal((await other.get(`/api/v1/videos/live/${live.id}/sessions`)).status, 403);
    const bobChannel = (await other.get('/api/v1/users/me')).body.videoChannels[0].id;
    const erinChannel = (await owner.get('/api/v1/users/me')).body.videoChannels[0].id;
    assert.notEqual(bobChannel, erinChannel);
    assert.equal((await other.post('/api/v1/videos/live', { channelId: erinChannel, name: 'Not mine' })).status, 403);
  });

  it('creates and updates lives with PeerTube field names', async () => {
    assert.equal((await new ApiClient(server.baseUrl).post('/api/v1/videos/live', { channelId: 1, name: 'anon' })).status, 401);
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

  it('lists public videos and leaves unlisted ones out', async () => {
    const unlisted = await admin.createLive({ name: 'Hidden one', privacy: 2 });
    const list = (await admin.get('/api/v1/videos?count=100')).body;
    assert.ok(list.total >= 1);
    assert.ok(!list.data.some((video: { id: number }) => video.id === unlisted.id));
    assert.equal((await admin.get(`/api/v1/videos/${unlisted.shortUUID}`)).status, 200, 'unlisted is reachable by its link');
    const mine = (await admin.get('/api/v1/users/me/videos?count=100')).body;
    assert.ok(mine.data.some((video: { id: number }) => video.id === unlisted.id), 'the owner lists their unlisted lives');
    const bob = new ApiClient(server.baseUrl);
    await bob.login('bob', 'bob-password');
    assert.ok(!(await bob.get('/api/v1/users/me/videos')).body.data.some((video: { id: number }) => video.id === unlisted.id));
    assert.equal((await new ApiClient(server.baseUrl).get('/api/v1/users/me/videos')).status, 401);
    const liveNow = (await admin.get('/api/v1/videos?isLive=true&state=1')).body;
    assert.equal(liveNow.total, 0);
  });

  it('lets a user change their password, which signs out their other sessions', async () => {
    await admin.post('/api/v1/users', { username: 'frank', password: 'frank-password', email: 'frank@example.org' });
    const here = new ApiClient(server.baseUrl);
    const elsewhere = new ApiClient(server.baseUrl);
    await here.login('frank', 'frank-password');
    await elsewhere.login('frank', 'frank-password');
    assert.equal((await here.put('/api/v1/users/me', { currentPassword: 'wrong-one', password: 'new-frank-password' })).status, 401);
    assert.equal((await here.put('/api/v1/users/me', { currentPassword: 'frank-password', password: 'new-frank-password' })).status, 204);
    assert.equal((await here.get('/api/v1/users/me')).status, 200, 'this session stays');
    assert.equal((await elsewhere.get('/api/v1/users/me')).status, 401, 'the other session is signed out');
    assert.equal((await new ApiClient(server.baseUrl).login('frank', 'frank-password')).status, 400);
    assert.equal((await new ApiClient(server.baseUrl).login('frank', 'new-frank-password')).status, 200);
  });

  it('publishes an OpenAPI document and a docs UI', async () => {
    const document = await admin.get('/api/v1/openapi.json');
    assert.equal(document.status, 200);
    assert.match(document.body.openapi, /^3\./);
    assert.ok(document.body.paths['/api/v1/videos/live/{id}']);
    assert.ok(document.body.paths['/api/v1/users/token']);
    const docs = await fetch(`${server.baseUrl}/api/v1/docs`, { redirect: 'follow' });
    assert.equal(docs.status, 200);
  });

  it('answers an oversized body with 413 and unknown routes with 404', async () => {
    // Only the headers go out: the server refuses on the announced size without reading the body. (With
    // the 2 MB body written too, the server's early 413 and close raced the client's write: EPIPE.)
    assert.equal(await announcedBodyStatus(`${server.baseUrl}/api/v1/videos/live`, 2 * 1024 * 1024, admin.token!), 413);
    assert.equal((await admin.get('/api/v1/nothing-here')).status, 404);
  });

  it('reports the active encoder and its fallback step to admins only', async () => {
    const report = await admin.get('/api/v1/admin/transcoding');
    assert.equal(report.status, 200);
    assert.equal(report.body.encoder.active, 'libx264');
    assert.equal(report.body.encoder.step, 'software');
    assert.ok(report.body.compiledIn.includes('libx264'));
    assert.equal((await new ApiClient(server.baseUrl).get('/api/v1/admin/transcoding')).status, 401);
  });
});
