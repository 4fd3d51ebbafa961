// Protected media (PeerTube's privacies 3 private, 4 internal, 5 password): every URL the server
// emits for such a video — master, variant playlists, init segments, every segment, thumbnail,
// storyboard sprite and WebVTT — is
// refused without authorisation and served with the password header, the owner's bearer, or a video
// file token; playlists fetched with a file token hand it on to every URI they list, live LL-HLS
// (parts, preload hints, rendition reports, blocking reloads) included. Passwords are hashed at rest.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { io } from 'socket.io-client';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { publish, type Publisher } from '../helpers/publisher.ts';
import { sleep, waitFor } from '../helpers/wait.ts';

const PASSWORD_HEADER = 'x-peertube-video-password';

interface Fetched { status: number; text: string; code: string | undefined }

async function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Fetched> {
  const response = await fetch(url, { method, headers });
  const text = await response.text();
  let code: string | undefined;
  if ((response.headers.get('content-type') ?? '').includes('json')) code = (JSON.parse(text) as { code?: string }).code;
  return { status: response.status, text, code };
}

/** Every URI a playlist lists: media lines and URI="…" attributes (EXT-X-MAP, parts, hints, reports). */
function urisOf(playlist: string): string[] {
  const attributes = [...playlist.matchAll(/URI="([^"]+)"/g)].map((match) => match[1]);
  const lines = playlist.split(/\r?\n/).map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  return [...attributes, ...lines];
}

const withoutQuery = (url: string) => url.split('?')[0];
/** The thumbnail and the storyboard files: emitted by the API, not listed in any playlist. */
const isOutsidePlaylists = (url: string) => /\.(jpg|vtt)$/.test(withoutQuery(url));

describe('protected media', () => {
  let server: TestServer;
  let admin: ApiClient;
  let viewer: ApiClient;
  let database: pg.Client;
  const publishers: Publisher[] = [];

  before(async () => {
    server = await createTestServer({ TRANSCODING_LADDER: JSON.stringify([{ height: 360, videoBitrateKbps: 800 }, { height: 240, videoBitrateKbps: 400 }]) });
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
    const created = await admin.post('/api/v1/users', { username: 'viewer', password: 'viewer-password-1', email: 'viewer@example.org', role: 2 });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    viewer = new ApiClient(server.baseUrl);
    assert.equal((await viewer.login('viewer', 'viewer-password-1')).status, 200);
    database = new pg.Client({ connectionString: server.databaseUrl });
    await database.connect();
    // Read by the first test and, for a token of another video, by the private replay's.
    passwordVideo = await makeReplay({ replaySettings: { privacy: 5 }, videoPasswords: ['first-pass', 'second-pass'] });
  });

  after(async () => {
    for (const publisher of publishers) await publisher.stop();
    await database?.end();
    await server?.destroy();
  });

  const bearer = (client: ApiClient) => ({ authorization: `Bearer ${client.token}` });
  const api = (path: string) => `${server.baseUrl}/api/v1${path}`;

  async function makeReplay(settings: Record<string, unknown>) {
    const live = await admin.createLive({ saveReplay: true, ...settings });
    const publisher = publish(`rtmp://127.0.0.1:${server.rtmpPort}/live/${live.streamKey}`, { width: 640, height: 360, seconds: 120 });
    await sleep(6000);
    await publisher.stop();
    const video = await waitFor('the replay', async () => {
      const current = (await admin.get(`/api/v1/videos/${live.id}`)).body;
      return !current.isLive && current.state.id === 1 && current.streamingPlaylists.length > 0 ? current : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    return video as { id: number; uuid: string; privacy: { id: number }; thumbnailPath: string; streamingPlaylists: Array<{ playlistUrl: string }> };
  }

  /** Waits for the storyboard job of the video: listed by GET /storyboards with these credentials. */
  async function storyboardOf(videoId: number, headers: Record<string, string>) {
    const refused = await get(api(`/videos/${videoId}/storyboards`));
    assert.ok(refused.status === 403 || refused.status === 404, `storyboards without credentials: ${refused.status}`);
    return waitFor('the storyboard', async () => {
      const response = await get(api(`/videos/${videoId}/storyboards`), headers);
      assert.equal(response.status, 200, response.text);
      const body = JSON.parse(response.text) as { storyboards: Array<{ storyboardPath: string }>; status?: { state: string; error: string | null } };
      if (body.status?.state === 'failed') throw new Error(`storyboard failed: ${body.status.error}`);
      return body.storyboards[0];
    }, { timeoutMs: 60_000, intervalMs: 500 });
  }

  /**
   * Walks the video's media with these credentials: every URL the server emits for it (the
   * storyboard's sprite, and its WebVTT track next to it, once the storyboard job has run).
   */
  async function mediaUrls(video: { id: number; streamingPlaylists: Array<{ playlistUrl: string }>; thumbnailPath: string }, headers: Record<string, string>) {
    const master = `${server.baseUrl}${video.streamingPlaylists[0].playlistUrl}`;
    const storyboard = await storyboardOf(video.id, headers);
    const sprite = `${server.baseUrl}${storyboard.storyboardPath}`;
    assert.match(sprite, /\/storyboard\.jpg$/);
    const urls = [master, `${server.baseUrl}${video.thumbnailPath}`, sprite, sprite.replace(/\.jpg$/, '.vtt')];
    const masterBody = await get(master, headers);
    assert.equal(masterBody.status, 200);
    for (const variant of urisOf(masterBody.text).map((uri) => new URL(uri, master).href)) {
      urls.push(variant);
      const playlist = await get(variant, headers);
      assert.equal(playlist.status, 200);
      urls.push(...urisOf(playlist.text).map((uri) => new URL(uri, variant).href));
    }
    return urls;
  }

  /** Follows a master playlist fetched with a file token, with no header at all: every URI must carry the token. */
  async function walkWithFileToken(masterUrl: string, token: string): Promise<string[]> {
    const fetched: string[] = [];
    const visit = async (url: string): Promise<void> => {
      assert.equal(new URL(url).searchParams.get('videoFileToken'), token, `${url} carries the token`);
      const response = await get(url);
      assert.equal(response.status, 200, `${url}: ${response.text.slice(0, 200)}`);
      fetched.push(withoutQuery(url));
      if (withoutQuery(url).endsWith('.m3u8')) {
        for (const uri of urisOf(response.text)) await visit(new URL(uri, url).href);
      }
    };
    await visit(`${masterUrl}?videoFileToken=${encodeURIComponent(token)}`);
    return fetched;
  }

  let passwordVideo: Awaited<ReturnType<typeof makeReplay>>;

  it('guards every URL of a password-protected replay: password header, owner bearer or file token', async () => {
    const video = passwordVideo;
    assert.equal(video.privacy.id, 5);

    // The video itself.
    const anonymous = await get(api(`/videos/${video.id}`));
    assert.deepEqual([anonymous.status, anonymous.code], [403, 'video_requires_password']);
    const wrong = await get(api(`/videos/${video.id}`), { [PASSWORD_HEADER]: 'not-it' });
    assert.deepEqual([wrong.status, wrong.code], [403, 'incorrect_video_password']);
    assert.equal((await get(api(`/videos/${video.id}`), { [PASSWORD_HEADER]: 'first-pass' })).status, 200);
    assert.equal((await get(api(`/videos/${video.id}`), { [PASSWORD_HEADER]: 'second-pass' })).status, 200);
    assert.equal((await get(api(`/videos/${video.id}`), bearer(viewer))).code, 'video_requires_password', 'another user needs it too');

    const urls = await mediaUrls(video, { [PASSWORD_HEADER]: 'first-pass' });
    console.log(`# password-protected replay: ${urls.length} media URLs walked`);
    assert.ok(urls.length >= 2 + 2 + 2 + 4, `master, thumbnail, 2 variants, 2 inits, segments (${urls.length} URLs)`);
    assert.ok(urls.some((url) => url.endsWith('.mp4')) && urls.some((url) => url.endsWith('.m4s')) && urls.some((url) => url.endsWith('.jpg')));
    assert.ok(urls.some((url) => url.endsWith('/storyboard.jpg')) && urls.some((url) => url.endsWith('/storyboard.vtt')), 'the storyboard too');
    for (const url of urls) {
      const none = await get(url);
      assert.deepEqual([none.status, none.code], [403, 'video_requires_password'], url);
      const incorrect = await get(url, { [PASSWORD_HEADER]: 'not-it' });
      assert.deepEqual([incorrect.status, incorrect.code], [403, 'incorrect_video_password'], url);
      const other = await get(url, bearer(viewer));
      assert.deepEqual([other.status, other.code], [403, 'video_requires_password'], `${url} (not the owner)`);
      const withPassword = await get(url, { [PASSWORD_HEADER]: 'second-pass' });
      assert.equal(withPassword.status, 200, url);
      assert.ok(withPassword.text.length > 0, `${url} has a body`);
      assert.equal((await get(url, bearer(admin))).status, 200, `${url} (owner)`);
      const bogus = await get(`${url}?videoFileToken=${video.uuid}.9999999999999.${'A'.repeat(43)}`);
      assert.deepEqual([bogus.status, bogus.code], [403, 'invalid_video_file_token'], url);
    }

    // File token: asked with the password (or the bearer), then enough on its own.
    const refused = await get(api(`/videos/${video.id}/token`), {}, 'POST');
    assert.deepEqual([refused.status, refused.code], [403, 'video_requires_password']);
    const issued = await get(api(`/videos/${video.id}/token`), { [PASSWORD_HEADER]: 'first-pass' }, 'POST');
    assert.equal(issued.status, 200);
    const { files } = JSON.parse(issued.text) as { files: { token: string; expires: string } };
    const validity = Date.parse(files.expires) - Date.now();
    assert.ok(validity > 3_600_000 && validity <= 2 * 3_600_000, `short-lived (${validity} ms)`);
    assert.equal((await get(api(`/videos/${video.id}/token`), bearer(admin), 'POST')).status, 200);

    const walked = await walkWithFileToken(urls[0], files.token);
    const expected = urls.filter((url) => !isOutsidePlaylists(url)).map(withoutQuery);
    assert.deepEqual([...walked].sort(), [...new Set(expected)].sort(), 'the tokenized playlists lead to every file');
    for (const url of urls.filter(isOutsidePlaylists)) {
      assert.equal((await get(`${url}?videoFileToken=${encodeURIComponent(files.token)}`)).status, 200, `${url} (thumbnail, storyboard)`);
    }
  });

  it('keeps video passwords hashed at rest; adds, replaces and deletes them', async () => {
    // A replay of its own: this test changes its passwords.
    const video = await makeReplay({ replaySettings: { privacy: 5 }, videoPasswords: ['first-pass', 'second-pass'] });
    const { rows } = await database.query<{ password_hash: string }>('SELECT password_hash FROM video_passwords WHERE video_id = $1', [video.id]);
    assert.equal(rows.length, 2);
    for (const row of rows) {
      assert.match(row.password_hash, /^scrypt\$/);
      assert.ok(!row.password_hash.includes('first-pass') && !row.password_hash.includes('second-pass'));
    }

    assert.equal((await get(api(`/videos/${video.id}/passwords`))).status, 401);
    assert.equal((await viewer.get(`/api/v1/videos/${video.id}/passwords`)).status, 403);
    const listed = await admin.get(`/api/v1/videos/${video.id}/passwords`);
    assert.equal(listed.status, 200);
    assert.equal(listed.body.total, 2);
    for (const entry of listed.body.data) {
      assert.equal(typeof entry.id, 'number');
      assert.ok(Date.parse(entry.createdAt) > 0);
      assert.equal(entry.password, undefined, 'hashes are never handed back');
    }

    const master = `${server.baseUrl}${video.streamingPlaylists[0].playlistUrl}`;
    const added = await admin.post(`/api/v1/videos/${video.id}/passwords`, { password: 'third-pass' });
    assert.equal(added.status, 200);
    assert.equal((await get(master, { [PASSWORD_HEADER]: 'third-pass' })).status, 200);

    // Replacing forgets the old passwords at once, also for media (no stale cache).
    assert.equal((await get(master, { [PASSWORD_HEADER]: 'first-pass' })).status, 200);
    assert.equal((await admin.put(`/api/v1/videos/${video.id}/passwords`, { passwords: ['only-pass'] })).status, 204);
    assert.equal((await get(master, { [PASSWORD_HEADER]: 'first-pass' })).code, 'incorrect_video_password');
    assert.equal((await get(api(`/videos/${video.id}`), { [PASSWORD_HEADER]: 'third-pass' })).code, 'incorrect_video_password');
    assert.equal((await get(master, { [PASSWORD_HEADER]: 'only-pass' })).status, 200);
    assert.equal((await admin.put(`/api/v1/videos/${video.id}/passwords`, { passwords: [] })).status, 400, 'privacy 5 keeps one');

    const [only] = (await admin.get(`/api/v1/videos/${video.id}/passwords`)).body.data;
    assert.equal((await admin.request('DELETE', `/api/v1/videos/${video.id}/passwords/${only.id}`)).status, 400, 'not the last one');
    await admin.post(`/api/v1/videos/${video.id}/passwords`, { password: 'new-pass' });
    assert.equal((await admin.request('DELETE', `/api/v1/videos/${video.id}/passwords/${only.id}`)).status, 204);
    assert.equal((await admin.request('DELETE', `/api/v1/videos/${video.id}/passwords/${only.id}`)).status, 404);
    assert.equal((await get(master, { [PASSWORD_HEADER]: 'only-pass' })).code, 'incorrect_video_password');
    assert.equal((await get(master, { [PASSWORD_HEADER]: 'new-pass' })).status, 200);
    // Privacy 5 needs a password on live creation and on update: route-rules.test.ts.
  });

  it('guards every URL of a private replay: owner bearer or file token only; internal opens it to users', async () => {
    const video = await makeReplay({ replaySettings: { privacy: 3 } });
    assert.equal(video.privacy.id, 3);
    assert.equal((await get(api(`/videos/${video.id}`))).status, 404);
    assert.equal((await get(api(`/videos/${video.id}`), bearer(viewer))).status, 404);

    const urls = await mediaUrls(video, bearer(admin));
    assert.ok(urls.length >= 10, `${urls.length} URLs`);
    assert.ok(urls.some((url) => url.endsWith('/storyboard.jpg')) && urls.some((url) => url.endsWith('/storyboard.vtt')), 'the storyboard too');
    for (const url of urls) {
      const none = await get(url);
      assert.deepEqual([none.status, none.code], [401, 'unauthorized'], url);
      assert.equal((await get(url, { [PASSWORD_HEADER]: 'first-pass' })).status, 401, `${url}: a password opens nothing here`);
      const other = await get(url, bearer(viewer));
      assert.deepEqual([other.status, other.code], [403, 'forbidden'], url);
      assert.equal((await get(url, bearer(admin))).status, 200, url);
    }

    assert.equal((await get(api(`/videos/${video.id}/token`), {}, 'POST')).status, 404);
    assert.equal((await get(api(`/videos/${video.id}/token`), bearer(viewer), 'POST')).status, 404);
    const issued = await get(api(`/videos/${video.id}/token`), bearer(admin), 'POST');
    assert.equal(issued.status, 200);
    const token = (JSON.parse(issued.text) as { files: { token: string } }).files.token;
    const walked = await walkWithFileToken(urls[0], token);
    assert.deepEqual([...walked].sort(), [...new Set(urls.filter((url) => !isOutsidePlaylists(url)).map(withoutQuery))].sort());
    for (const url of urls.filter(isOutsidePlaylists)) {
      assert.equal((await get(`${url}?videoFileToken=${encodeURIComponent(token)}`)).status, 200, `${url} (thumbnail, storyboard)`);
    }

    // A token is for one video only.
    const otherToken = JSON.parse((await get(api(`/videos/${passwordVideo.id}/token`), bearer(admin), 'POST')).text).files.token as string;
    const foreign = await get(`${urls[0]}?videoFileToken=${encodeURIComponent(otherToken)}`);
    assert.deepEqual([foreign.status, foreign.code], [403, 'invalid_video_file_token']);

    // Internal: any logged-in user of the instance, at once (the privacy cache is forgotten).
    assert.equal((await admin.put(`/api/v1/videos/${video.id}`, { privacy: 4 })).status, 204);
    assert.equal((await get(urls[0], bearer(viewer))).status, 200);
    assert.equal((await get(api(`/videos/${video.id}`), bearer(viewer))).status, 200);
    assert.equal((await get(urls[0])).status, 401);
    assert.equal((await get(api(`/videos/${video.id}`))).status, 404);
  });

  it('gives each replay of a password-protected permanent live the live\'s passwords', async () => {
    const live = await admin.createLive({ name: 'Radio', permanentLive: true, saveReplay: true, replaySettings: { privacy: 5 }, videoPasswords: ['radio-pass'] });
    const publisher = publish(`rtmp://127.0.0.1:${server.rtmpPort}/live/${live.streamKey}`, { width: 640, height: 360, seconds: 120 });
    await sleep(6000);
    await publisher.stop();
    const session = await waitFor('the session linked to its replay', async () => {
      const sessions = (await admin.get(`/api/v1/videos/live/${live.id}/sessions`)).body;
      return sessions.data[0]?.replayVideo ? sessions.data[0] : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    const replayId = session.replayVideo.id as number;
    assert.notEqual(replayId, live.id);
    assert.equal((await get(api(`/videos/${replayId}`))).code, 'video_requires_password');
    assert.equal((await get(api(`/videos/${replayId}`), { [PASSWORD_HEADER]: 'nope-pass' })).code, 'incorrect_video_password');
    const replay = JSON.parse((await get(api(`/videos/${replayId}`), { [PASSWORD_HEADER]: 'radio-pass' })).text);
    assert.equal(replay.privacy.id, 5);
    const master = `${server.baseUrl}${replay.streamingPlaylists[0].playlistUrl}`;
    assert.equal((await get(master)).code, 'video_requires_password');
    assert.equal((await get(master, { [PASSWORD_HEADER]: 'radio-pass' })).status, 200);
  });

  it('tokenizes every URI of a password-protected live LL-HLS playlist, blocking reloads included', async () => {
    const live = await admin.createLive({ name: 'Secret live', privacy: 5, videoPasswords: ['live-pass'] });
    const publisher = publish(`rtmp://127.0.0.1:${server.rtmpPort}/live/${live.streamKey}`, { width: 640, height: 360, seconds: 120 });
    publishers.push(publisher);
    const password = { [PASSWORD_HEADER]: 'live-pass' };
    const video = await waitFor('the live to play', async () => {
      const current = await get(api(`/videos/${live.id}`), password);
      const body = JSON.parse(current.text);
      return body.streamingPlaylists?.length ? body : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    const master = `${server.baseUrl}${video.streamingPlaylists[0].playlistUrl}`;
    assert.equal((await get(master)).code, 'video_requires_password');
    assert.equal((await get(`${master.replace('master.m3u8', '0/index.m3u8')}`)).code, 'video_requires_password');

    const token = JSON.parse((await get(api(`/videos/${live.id}/token`), password, 'POST')).text).files.token as string;
    const query = `videoFileToken=${encodeURIComponent(token)}`;
    const masterText = (await get(`${master}?${query}`)).text;
    const variants = urisOf(masterText);
    assert.equal(variants.length, 2);
    for (const uri of variants) assert.ok(uri.endsWith(`?${query}`), uri);

    const variant = new URL(variants[0], master).href;
    const playlist = await get(variant);
    assert.equal(playlist.status, 200);
    assert.match(playlist.text, /#EXT-X-PART:/, 'an LL-HLS playlist');
    const uris = urisOf(playlist.text);
    for (const kind of [/#EXT-X-MAP:URI="[^"]+"/, /#EXT-X-PART:[^\n]*URI="[^"]+"/, /#EXT-X-PRELOAD-HINT:[^\n]*URI="[^"]+"/, /#EXT-X-RENDITION-REPORT:URI="[^"]+"/]) {
      const line = kind.exec(playlist.text)?.[0];
      assert.ok(line?.includes(`?${query}"`), `${kind}: ${line}`);
    }
    for (const uri of uris) assert.ok(uri.endsWith(`?${query}`), uri);
    // Parts and segments listed there are served with nothing but the token in their URI.
    const part = uris.filter((uri) => uri.startsWith('part-')).at(-2)!;
    const segment = uris.filter((uri) => uri.startsWith('seg-')).at(-1)!;
    for (const uri of [part, segment, uris.find((candidate) => candidate.startsWith('init-'))!]) {
      const file = await fetch(new URL(uri, variant));
      assert.equal(file.status, 200, uri);
      assert.ok((await file.arrayBuffer()).byteLength > 0);
    }

    // A blocking reload for the next segment: still tokenized.
    const sequence = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(playlist.text)![1]);
    const segmentsListed = uris.filter((uri) => uri.startsWith('seg-')).length;
    const blocked = await get(`${variant.split('?')[0]}?_HLS_msn=${sequence + segmentsListed}&_HLS_part=0&${query}`);
    assert.equal(blocked.status, 200, blocked.text);
    assert.ok(urisOf(blocked.text).every((uri) => uri.endsWith(`?${query}`)));
    assert.ok(urisOf(blocked.text).some((uri) => uri.startsWith(`seg-${sequence + segmentsListed - 1}.m4s`) || uri.startsWith('part-')));
    const noToken = await get(`${variant.split('?')[0]}?_HLS_msn=${sequence + segmentsListed}&_HLS_part=0`);
    assert.equal(noToken.code, 'video_requires_password');
    await publisher.stop();
  });
  it('tells the state of a protected live only to those who may watch it (/live-videos)', async () => {
    const privateLive = await admin.createLive({ name: 'Private state', privacy: 3 });
    const passwordLive = await admin.createLive({ name: 'Password state', privacy: 5, videoPasswords: ['state-pass'] });
    const subscribe = async (token: string | undefined, payload: Record<string, unknown>) => {
      const socket = io(`${server.baseUrl}/live-videos`, { transports: ['websocket'], forceNew: true, reconnection: false, auth: token ? { token } : {} });
      try {
        await new Promise<void>((resolve, reject) => { socket.once('connect', () => resolve()); socket.once('connect_error', reject); });
        const viewers = new Promise((resolve) => socket.once('views-change', resolve));
        const ack = await socket.timeout(10_000).emitWithAck('subscribe', payload) as { ok: boolean };
        return { ok: ack.ok, viewers: ack.ok ? await viewers : undefined };
      } finally {
        socket.close();
      }
    };
    assert.equal((await subscribe(undefined, { videoId: privateLive.id })).ok, false, 'anonymous: no private live state');
    assert.equal((await subscribe(viewer.token, { videoId: privateLive.id })).ok, false, 'another user: none either');
    const owner = await subscribe(admin.token, { videoId: privateLive.id });
    assert.equal(owner.ok, true);
    assert.deepEqual(owner.viewers, { videoId: privateLive.id, viewers: 1 });
    assert.equal((await subscribe(undefined, { videoId: passwordLive.id })).ok, false);
    assert.equal((await subscribe(undefined, { videoId: passwordLive.id, password: 'wrong-pass' })).ok, false);
    assert.equal((await subscribe(undefined, { videoId: passwordLive.id, password: 'state-pass' })).ok, true);
  });
});
