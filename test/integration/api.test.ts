// The REST API on a real server: what start-up decides (the encoder chosen by its trial encodes).
// The API's rules as PeerTube clients use them (OAuth, users, lives, video lookups, OpenAPI, 4xx
// codes) are tested in-process, in route-rules.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';

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

  it('reports the active encoder and its fallback step to admins only', async () => {
    const report = await admin.get('/api/v1/admin/transcoding');
    assert.equal(report.status, 200);
    assert.equal(report.body.encoder.active, 'libx264');
    assert.equal(report.body.encoder.step, 'software');
    assert.ok(report.body.compiledIn.includes('libx264'));
    assert.equal((await new ApiClient(server.baseUrl).get('/api/v1/admin/transcoding')).status, 401);
  });
});
