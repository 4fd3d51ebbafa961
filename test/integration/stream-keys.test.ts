// Issue 9, defect 9: stream keys are not stored in clear (a SHA-256 for the lookup, an AES-256-GCM
// copy for the owner), only the owner and admins read them, and the owner can rotate one: the old key
// is then refused by a real ffmpeg RTMP publish and the new one streams. A live already on air with
// the old key is not cut. Keys left in clear by an older version are sealed when the server starts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { publish, type Publisher } from '../helpers/publisher.ts';
import { settleWithin, sleep, waitFor } from '../helpers/wait.ts';

describe('stream keys', () => {
  let server: TestServer;
  let admin: ApiClient;
  let streamer: ApiClient;
  let other: ApiClient;
  let database: pg.Client;
  const publishers: Publisher[] = [];

  before(async () => {
    server = await createTestServer({ TRANSCODING_LADDER: JSON.stringify([{ height: 240, videoBitrateKbps: 400 }]) });
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
    for (const name of ['streamer', 'other']) {
      assert.equal((await admin.post('/api/v1/users', { username: name, password: `${name}-password`, email: `${name}@example.org`, role: 2 })).status, 200);
    }
    streamer = new ApiClient(server.baseUrl);
    assert.equal((await streamer.login('streamer', 'streamer-password')).status, 200);
    other = new ApiClient(server.baseUrl);
    assert.equal((await other.login('other', 'other-password')).status, 200);
    database = new pg.Client({ connectionString: server.databaseUrl });
    await database.connect();
  });

  after(async () => {
    for (const publisher of publishers) await publisher.stop();
    await database?.end();
    await server?.destroy();
  });

  const rtmp = (key: string) => `rtmp://127.0.0.1:${server.rtmpPort}/live/${key}`;
  const start = (key: string) => {
    const publisher = publish(rtmp(key), { width: 320, height: 240, seconds: 120 });
    publishers.push(publisher);
    return publisher;
  };
  const stateOf = async (id: number) => (await streamer.get(`/api/v1/videos/${id}`)).body.state.id as number;

  it('the database holds no clear key; the owner reads it, others do not', async () => {
    const live = await streamer.createLive({ permanentLive: true });
    assert.match(live.streamKey, /^[0-9a-f-]{36}$/);
    const { rows } = await database.query('SELECT * FROM lives WHERE video_id = $1', [live.id]);
    const stored = JSON.stringify(rows[0], (_key, value) => (value?.type === 'Buffer' ? Buffer.from(value.data).toString('latin1') : value));
    assert.ok(!stored.toLowerCase().includes(live.streamKey), `the row holds the key in clear: ${stored}`);
    assert.ok(!stored.includes(live.streamKey.replaceAll('-', '')));
    assert.equal(rows[0].stream_key, null);
    assert.equal((await admin.get(`/api/v1/videos/live/${live.id}`)).body.streamKey, live.streamKey, 'an admin reads it');
    for (const client of [other, new ApiClient(server.baseUrl)]) {
      const seen = await client.get(`/api/v1/videos/live/${live.id}`);
      assert.equal(seen.status, 200);
      assert.equal(seen.body.streamKey, undefined);
      assert.ok(!JSON.stringify(seen.body).includes(live.streamKey));
    }
  });

  it('rotation: owner/admin only; the old key is refused by ffmpeg, the new one streams; a live on air is not cut', async () => {
    const live = await streamer.createLive({ permanentLive: true });
    assert.equal((await other.post(`/api/v1/videos/live/${live.id}/stream-key`)).status, 403);
    assert.equal((await new ApiClient(server.baseUrl).post(`/api/v1/videos/live/${live.id}/stream-key`)).status, 401);
    const rotated = await streamer.post(`/api/v1/videos/live/${live.id}/stream-key`);
    assert.equal(rotated.status, 200);
    const newKey = rotated.body.streamKey as string;
    assert.notEqual(newKey, live.streamKey);
    assert.equal((await streamer.get(`/api/v1/videos/live/${live.id}`)).body.streamKey, newKey);

    const intruder = start(live.streamKey);
    assert.notEqual(await settleWithin(intruder.exited, 15_000), 'timeout', 'ffmpeg with the old key is disconnected');
    assert.match(server.output(), /refused RTMP publish from .*unknown stream key/);
    assert.notEqual(await stateOf(live.id), 1);

    const publisher = start(newKey);
    await waitFor('the live on air with the new key', async () => (await stateOf(live.id)) === 1, { timeoutMs: 30_000 });
    // Rotating while on air: the running stream goes on, the key it used no longer admits anyone.
    const again = await admin.post(`/api/v1/videos/live/${live.id}/stream-key`);
    assert.equal(again.status, 200);
    await sleep(4000);
    assert.equal(publisher.process.exitCode, null, 'the publisher is still streaming');
    assert.equal(await stateOf(live.id), 1);
    await publisher.stop();
  });

  it('a key left in clear by an older version is sealed at start-up and still works', async () => {
    const live = await streamer.createLive({ permanentLive: true });
    const legacy = randomUUID();
    // The state migration 010 leaves behind: the clear key and its hash (computed by the migration's SQL).
    await database.query(
      `UPDATE lives SET stream_key = $2, stream_key_sealed = NULL,
         stream_key_hash = encode(sha256(convert_to(lower($2::uuid::text), 'UTF8')), 'hex') WHERE video_id = $1`,
      [live.id, legacy]);
    // The embedded Postgres stops with the server: this test's connection goes with it.
    await database.end();
    await server.stop();
    await server.start();
    database = new pg.Client({ connectionString: server.databaseUrl });
    await database.connect();
    const { rows: [row] } = await database.query('SELECT stream_key, stream_key_sealed FROM lives WHERE video_id = $1', [live.id]);
    assert.equal(row.stream_key, null);
    assert.ok(row.stream_key_sealed);
    assert.equal((await streamer.get(`/api/v1/videos/live/${live.id}`)).body.streamKey, legacy);
    const publisher = start(legacy);
    await waitFor('the live on air with the legacy key', async () => (await stateOf(live.id)) === 1, { timeoutMs: 30_000 });
    await publisher.stop();
  });

  it('the rotation route is in the OpenAPI document', async () => {
    const document = (await fetch(`${server.baseUrl}/api/v1/openapi.json`).then((response) => response.json())) as { paths: Record<string, any> };
    assert.ok(document.paths['/api/v1/videos/live/{id}/stream-key']?.post);
  });
});
