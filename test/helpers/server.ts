// Runs the real server (`node api/server.ts`, as `npm start` does) in a child process, on
// its own embedded Postgres, data folder and loopback ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import { settleWithin, sleep } from './wait.ts';

const ROOT = join(import.meta.dirname, '..', '..');
export const ADMIN_PASSWORD = 'admin-password-1';

export interface TestServer {
  baseUrl: string;
  rtmpPort: number;
  /** The SRT listener's UDP port. */
  srtPort: number;
  dataDir: string;
  /** The embedded Postgres, for the few checks that must set up state the API cannot (yet). */
  databaseUrl: string;
  /** Everything the server printed so far. */
  output(): string;
  /** The server process's id while it runs (for its memory, in the fuzz runner). */
  pid(): number | undefined;
  /** Whether the server process is running (false once it exited, a crash included). */
  alive(): boolean;
  start(): Promise<void>;
  /** Graceful stop (SIGTERM), or a crash (SIGKILL). */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Stops the server and removes its data. */
  destroy(): Promise<void>;
}

export async function createTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'livecast-test-'));
  // A TCP port free on loopback is, in practice, a free UDP port too (SRT listens on UDP).
  const [httpPort, rtmpPort, databasePort, srtPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  let child: ChildProcess | undefined;
  let output = '';
  const serverEnv = {
    ...process.env,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(httpPort),
    RTMP_HOST: '127.0.0.1',
    RTMP_PORT: String(rtmpPort),
    SRT_HOST: '127.0.0.1',
    SRT_PORT: String(srtPort),
    DATABASE_URL: '',
    DATABASE_EMBEDDED_PORT: String(databasePort),
    STORAGE_DATA_DIR: dataDir,
    ADMIN_PASSWORD,
    LOG_LEVEL: 'info',
    // Most tests check that stopping the publisher ends the live at once; the reconnect test sets its own grace.
    LIVE_RECONNECT_GRACE_SECONDS: '0',
    // scrypt at the production cost (2^17) takes about 1.5 s per login on a 2-core CI box, and the
    // suite logs in hundreds of times; tests of the cost itself set their own (guessing, auth-hardening).
    AUTH_PASSWORD_HASH_COST: '14',
    ...env,
  };

  const server: TestServer = {
    baseUrl: `http://127.0.0.1:${httpPort}`,
    rtmpPort,
    srtPort,
    dataDir,
    databaseUrl: `postgres://livecast:livecast@127.0.0.1:${databasePort}/livecast`,
    output: () => output,
    pid: () => child?.pid,
    alive: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    async start() {
      const started = output.length;
      child = spawn(process.execPath, [join(ROOT, 'api', 'server.ts')], { cwd: ROOT, env: serverEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.setEncoding('utf8').on('data', (text: string) => { output += text; });
      child.stderr!.setEncoding('utf8').on('data', (text: string) => { output += text; });
      const running = child;
      const deadline = Date.now() + 60_000;
      while (!output.slice(started).includes(' ready: ')) {
        if (running.exitCode !== null || running.signalCode !== null) {
          throw new Error(`server exited (${running.exitCode ?? running.signalCode}) during start-up:\n${output.slice(started)}`);
        }
        if (Date.now() > deadline) throw new Error(`server not ready after 60 s:\n${output.slice(started)}`);
        await sleep(100);
      }
    },
    async stop(signal = 'SIGTERM') {
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill(signal);
      if (await settleWithin(exited, 30_000) === 'timeout') running.kill('SIGKILL');
      child = undefined;
    },
    async destroy() {
      await server.stop();
      await killOrphans(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

/** After a SIGKILL, Postgres and ffmpeg outlive the server: end those that belong to this data folder. */
async function killOrphans(dataDir: string): Promise<void> {
  const { execFileSync } = await import('node:child_process');
  try {
    execFileSync('pkill', ['-KILL', '-f', dataDir], { stdio: 'ignore' });
  } catch {
    // pkill exits 1 when nothing matched.
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}
