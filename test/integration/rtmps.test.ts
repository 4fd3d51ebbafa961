// RTMPS: with a certificate configured, OBS can publish over TLS.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { publish, type Publisher } from '../helpers/publisher.ts';
import { freePort } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';

describe('RTMPS ingest', () => {
  let server: TestServer;
  let publisher: Publisher | undefined;
  let rtmpsPort: number;
  const certDir = mkdtempSync(join(tmpdir(), 'livecast-cert-'));

  before(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem')], { stdio: 'ignore' });
    rtmpsPort = await freePort();
    server = await createTestServer({
      RTMPS_PORT: String(rtmpsPort), RTMPS_CERT_FILE: join(certDir, 'cert.pem'), RTMPS_KEY_FILE: join(certDir, 'key.pem'),
    });
    await server.start();
  });

  after(async () => {
    await publisher?.stop();
    await server?.destroy();
    rmSync(certDir, { recursive: true, force: true });
  });

  it('shows the RTMPS URL to the owner and accepts a publish over TLS', async () => {
    const admin = await ApiClient.asAdmin(server.baseUrl);
    const live = await admin.createLive({ name: 'Over TLS' });
    const settings = (await admin.get(`/api/v1/videos/live/${live.id}`)).body;
    assert.equal(settings.rtmpsUrl, `rtmps://127.0.0.1:${rtmpsPort}/live`);
    publisher = publish(`rtmps://127.0.0.1:${rtmpsPort}/live/${live.streamKey}`, { width: 640, height: 360, seconds: 60 });
    await waitFor('published over RTMPS', async () => (await admin.get(`/api/v1/videos/${live.id}`)).body.state.id === 1, { timeoutMs: 20_000 });
    const sessions = (await admin.get(`/api/v1/videos/live/${live.id}/sessions`)).body;
    assert.equal(sessions.total, 1);
    assert.match(server.output(), /started over rtmps/);
  });
});
