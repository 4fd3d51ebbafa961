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

/** Runs a short ffmpeg/ffprobe command to completion, collecting its output; killed after timeoutMs. */
export function runFfmpeg(binary: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (text: string) => { stdout += text; });
    child.stderr.setEncoding('utf8').on('data', (text: string) => { stderr += text; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: stderr + error.message, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}
