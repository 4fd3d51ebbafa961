// One ffmpeg per WHIP session: reads the forwarded RTP (described by an SDP on its stdin),
// copies the H.264, turns Opus into AAC, and writes FLV to a one-shot loopback TCP socket that
// this process listens on. The FLV goes into the session's feed.
import { createServer, type Server, type Socket } from 'node:net';
import type { Writable } from 'node:stream';
import type { Logger } from '../../config/index.ts';
import type { FlvGopFeed } from '../flv/index.ts';

const STOP_TIMEOUT_MS = 3000;

/** The slice of a spawned ffmpeg this module uses (packager's spawnFfmpeg returns one). */
export interface FfmpegProcess {
  readonly stdin: Writable | null;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderrTail(): string;
  kill(signal?: NodeJS.Signals): void;
}

/** Spawns ffmpeg. ingest/ never spawns it itself: api/ passes packager's spawnFfmpeg. */
export type SpawnFfmpeg = (
  binary: string,
  args: string[],
  options?: { stdin?: 'pipe' | 'ignore'; onStderrLine?: (line: string) => void },
) => FfmpegProcess;

export interface RemuxerOptions {
  ffmpegPath: string;
  spawnFfmpeg: SpawnFfmpeg;
  /** What ffmpeg reads: see loopbackSdp(). */
  sdp: string;
  hasAudio: boolean;
  feed: FlvGopFeed;
  log: Logger;
}

function remuxArgs(outputUrl: string, hasAudio: boolean): string[] {
  const args = [
    '-hide_banner', '-loglevel', 'error',
    '-protocol_whitelist', 'pipe,udp,rtp',
    '-fflags', '+genpts',
    '-f', 'sdp', '-i', 'pipe:0',
    '-map', '0:v:0', '-c:v', 'copy',
  ];
  if (hasAudio) args.push('-map', '0:a:0', '-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2');
  args.push('-flvflags', 'no_duration_filesize', '-f', 'flv', outputUrl);
  return args;
}

export class RtpToFlvRemuxer {
  readonly #options: RemuxerOptions;
  readonly #server: Server;
  #process: FfmpegProcess | undefined;
  #connection: Socket | undefined;
  #stopping = false;
  #failed: ((reason: string) => void) | undefined;
  /** Resolves with a reason when the remuxer stops by itself (ffmpeg died, bad output). */
  readonly failed: Promise<string>;

  private constructor(options: RemuxerOptions, server: Server) {
    this.#options = options;
    this.#server = server;
    this.failed = new Promise((resolve) => { this.#failed = resolve; });
  }

  static async start(options: RemuxerOptions): Promise<RtpToFlvRemuxer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const remuxer = new RtpToFlvRemuxer(options, server);
    remuxer.#spawn();
    return remuxer;
  }

  #spawn(): void {
    const options = this.#options;
    const port = (this.#server.address() as { port: number }).port;
    this.#server.on('connection', (socket) => this.#accept(socket));
    const child = options.spawnFfmpeg(options.ffmpegPath, remuxArgs(`tcp://127.0.0.1:${port}`, options.hasAudio), {
      stdin: 'pipe',
      onStderrLine: (line) => options.log.debug(`ffmpeg: ${line}`),
    });
    this.#process = child;
    child.stdin?.end(options.sdp);
    void child.exited.then(({ code, signal }) => {
      this.#fail(`ffmpeg exited (${signal ?? `code ${code}`}): ${child.stderrTail().split('\n').slice(-2).join(' | ')}`);
    });
  }

  #accept(socket: Socket): void {
    if (this.#connection) {
      socket.destroy();
      return;
    }
    // The one expected client has come: stop listening, nobody else may attach.
    this.#connection = socket;
    this.#server.close();
    socket.on('data', (chunk: Buffer) => {
      try {
        this.#options.feed.write(chunk);
      } catch (error) {
        this.#fail(`unreadable FLV from ffmpeg: ${(error as Error).message}`);
        this.#process?.kill('SIGKILL');
      }
    });
    socket.on('error', () => undefined);
  }

  #fail(reason: string): void {
    if (this.#stopping) return;
    const failed = this.#failed;
    this.#failed = undefined;
    failed?.(reason);
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#server.close();
    this.#connection?.destroy();
    const child = this.#process;
    if (!child) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await child.exited;
    clearTimeout(timer);
  }
}
