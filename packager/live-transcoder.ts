// One ffmpeg per publisher connection of a live: feeds it the publisher's FLV, hands each
// rendition's fMP4 output to the session's LL-HLS packager, restarts ffmpeg if it dies while the
// publisher is still there (the playlists continue after a discontinuity), and says when the
// first segments are playable.
import { EventEmitter } from 'node:events';
import type { Logger } from '../config/index.ts';
import type { MediaFeed } from '../ingest/contracts.ts';
import type { EncoderSelection } from './encoders/capabilities.ts';
import type { Rendition } from './encoders/types.ts';
import { spawnFfmpeg, type FfmpegHandle } from './ffmpeg-process.ts';
import type { LatencyProfile, LiveHls } from './hls/index.ts';
import { buildLiveCommand } from './live-command.ts';
import { boundedInput, type BoundedInput } from './bounded-input.ts';

/** Past this much unwritten input, the transcoder is too slow: drop until the next keyframe. */
const MAX_PENDING_BYTES = 16 * 1024 * 1024;
const STOP_TIMEOUT_MS = 10_000;

export interface LiveTranscoderOptions {
  ffmpegPath: string;
  selection: EncoderSelection;
  renditions: Rendition[];
  hasAudio: boolean;
  profile: LatencyProfile;
  maxRestarts: number;
  feed: MediaFeed;
  /** The session's packager; outlives this transcoder's ffmpeg processes. */
  output: LiveHls;
  log: Logger;
}

export interface LiveTranscoderEvents {
  ready: [];
  restarted: [count: number, reason: string];
  failed: [reason: string];
}

export class LiveTranscoder extends EventEmitter<LiveTranscoderEvents> {
  readonly #options: LiveTranscoderOptions;
  #process: FfmpegHandle | undefined;
  #unsubscribe: (() => void) | undefined;
  #stopping = false;
  #ready = false;
  #restarts = 0;
  /** Chunks dropped by earlier ffmpeg processes of this transcoder (restarts, reconnects). */
  #droppedBefore = 0;
  #input: BoundedInput | undefined;

  constructor(options: LiveTranscoderOptions) {
    super();
    this.#options = options;
  }

  get restarts(): number { return this.#restarts; }
  get droppedChunks(): number { return this.#droppedBefore + (this.#input?.dropped ?? 0); }
  get isReady(): boolean { return this.#ready; }
  get pid(): number | undefined { return this.#process?.pid; }

  start(): void {
    this.#spawn(false);
  }

  /** Ends the input; ffmpeg flushes its last fragments and exits. The packager stays open. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.detachFeed();
    const child = this.#process;
    if (!child) return;
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await child.exited;
    clearTimeout(timer);
  }

  /** The publisher left but may come back: stop feeding ffmpeg; the playlists neither advance nor close. */
  detachFeed(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /** The publisher came back: drop the old ffmpeg and continue the playlists after a discontinuity. */
  replaceFeed(feed: MediaFeed): void {
    this.detachFeed();
    this.#options.feed = feed;
    const previous = this.#process;
    this.#process = undefined;
    previous?.kill('SIGKILL');
    this.#spawn(true);
  }

  #spawn(resume: boolean): void {
    const options = this.#options;
    const args = buildLiveCommand({
      renditions: options.renditions,
      backend: options.selection.backend,
      caps: options.selection.caps,
      hasAudio: options.hasAudio,
      keyframeSeconds: options.profile.segmentSeconds,
      fragmentSeconds: options.profile.partSeconds,
    });
    options.log.debug(`ffmpeg ${args.join(' ')}`);
    const child = spawnFfmpeg(options.ffmpegPath, args, {
      stdin: 'pipe',
      outputPipes: options.renditions.length,
      onStderrLine: (line) => options.log.debug(`ffmpeg: ${line}`),
    });
    this.#process = child;
    // Media time 0 of this process is (about) now: the feed replays from the last keyframe at once.
    options.output.restartInput({ discontinuity: resume, wallClockAnchorMs: Date.now() });
    options.renditions.forEach((rung, position) => {
      child.outputs[position].on('data', (chunk: Buffer) => {
        if (child !== this.#process) return;
        options.output.rendition(rung.index).push(chunk);
        if (!this.#ready && options.output.started) {
          this.#ready = true;
          this.emit('ready');
        }
      });
    });
    this.#droppedBefore += this.#input?.dropped ?? 0;
    this.#input = boundedInput(child.stdin, {
      maxPendingBytes: MAX_PENDING_BYTES,
      onDropStart: () => options.log.warn('transcoder too slow for the input: dropping frames until it catches up'),
      onResume: () => options.log.warn('transcoder caught up, resuming input at a keyframe'),
    });
    this.#unsubscribe = options.feed.subscribe(this.#input);
    void child.exited.then(({ code, signal }) => this.#onExit(child, code, signal));
  }

  #onExit(child: FfmpegHandle, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.#process || this.#stopping) return;
    this.detachFeed();
    const reason = `ffmpeg exited (${signal ?? `code ${code}`}): ${child.stderrTail().split('\n').slice(-3).join(' | ')}`;
    if (this.#restarts >= this.#options.maxRestarts) {
      this.#options.log.error(`giving up after ${this.#restarts} restarts: ${reason}`);
      this.emit('failed', reason);
      return;
    }
    this.#restarts++;
    this.#options.log.warn(`restarting transcoder (${this.#restarts}/${this.#options.maxRestarts}): ${reason}`);
    this.#spawn(true);
    this.emit('restarted', this.#restarts, reason);
  }
}
