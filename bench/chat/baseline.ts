// Starts the baseline server (baseline-server.ts) in a child process and hands back its target.
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { settleWithin } from '../../test/helpers/wait.ts';
import type { Target } from './protocol.ts';

export interface RunningServer { target: Target; pids: () => number[]; stop(): Promise<void> }

export async function startBaseline(): Promise<RunningServer> {
  const child = fork(join(import.meta.dirname, 'baseline-server.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const listening = new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`baseline server exited (${code}) before listening`)));
  });
  const port = await settleWithin(listening, 30_000);
  if (port === 'timeout') { child.kill('SIGKILL'); throw new Error('baseline server not listening after 30 s'); }
  return {
    target: { name: 'baseline: bare socket.io', baseUrl: `http://127.0.0.1:${port}`, namespace: '/chat', join: { room: 'bench' } },
    pids: () => (child.pid ? [child.pid] : []),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      if (await settleWithin(exited, 10_000) === 'timeout') child.kill('SIGKILL');
    },
  };
}
