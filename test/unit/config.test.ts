import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadConfig, ConfigError, envNameFor } from '../../config/index.ts';

describe('config', () => {
  it('has working defaults', () => {
    const config = loadConfig({ env: {} , file: undefined });
    assert.equal(config.rtmp.port, 1935);
    assert.equal(config.http.port, 9000);
    assert.equal(config.transcoding.encoder, 'libx264');
    assert.deepEqual(config.transcoding.ladder.map((rung) => rung.height), [1080, 720, 480, 360]);
    assert.equal(config.live.segmentSeconds, 2);
  });

  it('derives environment names from the schema path', () => {
    assert.equal(envNameFor(['rtmp', 'port']), 'RTMP_PORT');
    assert.equal(envNameFor(['database', 'url']), 'DATABASE_URL');
    assert.equal(envNameFor(['live', 'segmentSeconds']), 'LIVE_SEGMENT_SECONDS');
  });

  it('applies YAML, then environment variables on top', () => {
    const dir = mkdtempSync(join(tmpdir(), 'livecast-config-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'rtmp:\n  port: 2935\nhttp:\n  port: 8080\ntranscoding:\n  ladder:\n    - { height: 480, videoBitrateKbps: 1000 }\n');
    const config = loadConfig({ env: { HTTP_PORT: '7070', SIGNUP_ENABLED: 'true' }, file });
    assert.equal(config.rtmp.port, 2935);
    assert.equal(config.http.port, 7070);
    assert.equal(config.signup.enabled, true);
    assert.deepEqual(config.transcoding.ladder, [{ height: 480, videoBitrateKbps: 1000, audioBitrateKbps: 128 }]);
  });

  it('names the key of a bad value', () => {
    assert.throws(() => loadConfig({ env: { RTMP_PORT: 'abc' } }), (error: Error) =>
      error instanceof ConfigError && /RTMP_PORT/.test(error.message));
    assert.throws(() => loadConfig({ env: { HTTP_PORT: '70000' } }), (error: Error) =>
      error instanceof ConfigError && /http\.port/.test(error.message));
    assert.throws(() => loadConfig({ env: { TRANSCODING_ENCODER: 'h265_magic' } }), (error: Error) =>
      error instanceof ConfigError && /transcoding\.encoder/.test(error.message));
  });

  it('stops the server at start-up with that message', () => {
    const result = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'api', 'server.ts')], {
      env: { ...process.env, TRANSCODING_ENCODER: 'h265_magic' }, encoding: 'utf8', timeout: 30_000,
    });
    assert.equal(result.status, 78);
    assert.match(result.stderr, /transcoding\.encoder/);
  });
});
