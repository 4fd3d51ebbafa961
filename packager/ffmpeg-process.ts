// The only place that spawns ffmpeg (and ffprobe). Everything else builds argument arrays.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

const STDERR_TAIL_LINES = 30;

export interface FfmpegHandle {
  readonly pid: number | undefined;
  readonly stdin: Writable | null;
  /** Extra output pipes, ffmpeg's `pipe:3`, `pipe:4`, … in order. */
  readonly outputs: Readable[];
  /** Resolves when the process has exited, with its code (null when killed by a signal). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last lines ffmpeg wrote to stderr, for error reports. */
  stderrTail(): string;
  kill(signal?: NodeJS.Signals): void;
}

export interface SpawnOptions {
  stdin?: 'pipe' | 'ignore';
  /** How many extra output pipes to open after stderr (file descriptors 3, 4, …). */
  outputPipes?: number;
  onStderrLine?: (line: string) => void;
  /** A job's abort signal: ffmpeg is stopped when it fires (a job that expired or lost its claim). */
  signal?: AbortSignal;
}

/** After SIGTERM, ffmpeg gets this long to close its outputs before SIGKILL. */
const STOP_GRACE_MS = 3000;

/**
 * Stops the child when `signal` fires; returns the function that stops watching. An aborted job
 * must not leave an ffmpeg behind: a retry of the job would otherwise run beside it.
 */
function stopOnAbort(child: ChildProcess, signal: AbortSignal | undefined): () => void {
  if (!signal) return () => undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    killTimer.unref();
  };
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  return () => {
    signal.removeEventListener('abort', stop);
    if (killTimer) clearTimeout(killTimer);
  };
}

export function spawnFfmpeg(binary: string, args: string[], options: SpawnOptions = {}): FfmpegHandle {
  const extra = Array.from({ length: options.outputPipes ?? 0 }, () => 'pipe' as const);
  const child: ChildProcess = spawn(binary, args, { stdio: [options.stdin ?? 'ignore', 'ignore', 'pipe', ...extra] });
  const outputs = extra.map((_, position) => child.stdio[3 + position] as Readable);
  const tail: string[] = [];
  let partial = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    const lines = (partial + text).split(/\r?\n|\r/);
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line) continue;
      tail.push(line);
      if (tail.length > STDERR_TAIL_LINES) tail.shift();
      options.onStderrLine?.(line);
    }
  });
  // EPIPE on stdin when ffmpeg dies is expected; the exit handler reports the real cause.
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', (error) => {
      tail.push(`spawn failed: ${error.message}`);
      resolve({ code: -1, signal: null });
    });
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const unwatch = stopOnAbort(child, options.signal);
  void exited.then(unwatch);
  return {
    pid: child.pid,
    stdin: child.stdin,
    outputs,
    exited,
    stderrTail: () => [...tail, partial].filter(Boolean).join('\n'),
    kill: (signal = 'SIGTERM') => { child.kill(signal); },
  };
}

export interface RunResult { code: number | null; stdout: string; stderr: string; timedOut: boolean }

/** Runs a short ffmpeg/ffprobe command to completion, collecting its output; killed after timeoutMs or on `signal`. */
export function runFfmpeg(binary: string, args: string[], timeoutMs: number, signal?: AbortSignal): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const unwatch = stopOnAbort(child, signal);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (text: string) => { stdout += text; });
    child.stderr.setEncoding('utf8').on('data', (text: string) => { stderr += text; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      unwatch();
      resolve({ code: -1, stdout, stderr: stderr + error.message, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      unwatch();
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}
