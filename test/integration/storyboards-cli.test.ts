// `npm run storyboards`: the CLI queues storyboards through the running server's database and
// shows progress bars until they are made.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { makeReplay, waitForStoryboard } from '../helpers/replay.ts';
import { settleWithin } from '../helpers/wait.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'storyboards.ts'), ...args], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => { stdout += text; });
  child.stderr.setEncoding('utf8').on('data', (text: string) => { stderr += text; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return settleWithin(exited, 90_000).then((code) => {
    if (code === 'timeout') child.kill('SIGKILL');
    return { code: code === 'timeout' ? null : code, stdout, stderr };
  });
}

describe('storyboards CLI', () => {
  let server: TestServer;

  before(async () => {
    server = await createTestServer({ TRANSCODING_LADDER: JSON.stringify([{ height: 360, videoBitrateKbps: 800 }]) });
    await server.start();
  });

  after(async () => {
    await server?.destroy();
  });

  it('regenerates every storyboard with --all and shows its progress, then says when there is nothing to do', async () => {
    const admin = await ApiClient.asAdmin(server.baseUrl);
    const { video } = await makeReplay(server, admin, { name: 'For the CLI' }, 6);
    await waitForStoryboard(admin, video.id);
    const env = { DATABASE_URL: server.databaseUrl };
    const all = await runCli(['--all'], env);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /queued 1 storyboard/);
    assert.match(all.stdout, /\[#{20}\] 1\/1/, 'an overall progress bar that reaches the end');
    const nothing = await runCli([], env);
    assert.equal(nothing.code, 0);
    assert.match(nothing.stdout, /already has a storyboard/);
  });

  it('tells the admin to start the server when the database is not there', async () => {
    const result = await runCli([], { DATABASE_URL: 'postgres://livecast:livecast@127.0.0.1:9/livecast' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Start the server first/);
  });
});
