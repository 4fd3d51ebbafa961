// One ffmpeg per live: feeds it the publisher's FLV, restarts it if it dies while the
// publisher is still there, and reports when the first segments are playable.
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../config/index.ts';
import type { MediaFeed } from '../ingest/index.ts';
import type { EncoderSelection } from './encoders/capabilities.ts';
import type { Rendition } from './encoders/types.ts';
import { spawnFfmpeg, type FfmpegHandle } from './ffmpeg-process.ts';
import { buildLiveCommand, MASTER_PLAYLIST, VARIANT_PLAYLIST } from './live-command.ts';

/** Past this much unwritten input, the transcoder is too slow: drop until the next keyframe. */
const MAX_PENDING_BYTES = 16 * 1024 * 1024;
const READY_POLL_MS = 150;
const STOP_TIMEOUT_MS = 10_000;

export interface LiveTranscoderOptions {
  ffmpegPath: string;
  selection: EncoderSelection;
  renditions: Rendition[];
  hasAudio: boolean;
  outputDir: string;
  segmentSeconds: number;
  playlistSize: number;
  maxRestarts: number;
  feed: MediaFeed;
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
  #droppingUntilKeyframe = false;
  /** The process being replaced on purpose (publisher reconnect): its exit is not a crash. */
  #replaced: FfmpegHandle | undefined;
  #droppedChunks = 0;
  #readyTimer: NodeJS.Timeout | undefined;

  constructor(options: LiveTranscoderOptions) {
    super();
    this.#options = options;
  }

  get restarts(): number { return this.#restarts; }
  get droppedChunks(): number { return this.#droppedChunks; }
  get isReady(): boolean { return this.#ready; }

  start(): void {
    this.#spawn(false);
    this.#watchForReadiness();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#readyTimer);
    this.#unsubscribe?.();
    const child = this.#process;
    if (!child) return;
    // Closing stdin lets ffmpeg flush the last segment and write ENDLIST.
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await child.exited;
    clearTimeout(timer);
  }

  /**
   * The publisher left but may come back: stop feeding ffmpeg and leave it waiting on its
   * input, so that the playlist is neither advanced nor closed.
   */
  detachFeed(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /**
   * The publisher came back (possibly on another connection): the old ffmpeg is dropped without
   * closing its playlists, and a new one continues them after a discontinuity.
   */
  replaceFeed(feed: MediaFeed): void {
    this.detachFeed();
    this.#options.feed = feed;
    const previous = this.#process;
    this.#replaced = previous;
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
      outputDir: options.outputDir,
      segmentSeconds: options.segmentSeconds,
      playlistSize: options.playlistSize,
      resume,
    });
    options.log.debug(`ffmpeg ${args.join(' ')}`);
    const child = spawnFfmpeg(options.ffmpegPath, args, {
      stdin: 'pipe',
      onStderrLine: (line) => options.log.debug(`ffmpeg: ${line}`),
    });
    this.#process = child;
    this.#droppingUntilKeyframe = false;
    this.#unsubscribe = options.feed.subscribe({ write: (chunk, isKeyframe) => this.#write(child, chunk, isKeyframe) });
    void child.exited.then(({ code, signal }) => this.#onExit(child, code, signal));
  }

  #write(child: FfmpegHandle, chunk: Buffer, isKeyframe: boolean): void {
    const stdin = child.stdin;
    if (!stdin || stdin.destroyed || stdin.writableEnded) return;
    if (this.#droppingUntilKeyframe) {
      if (!isKeyframe || stdin.writableLength > MAX_PENDING_BYTES / 2) {
        this.#droppedChunks++;
        return;
      }
      this.#droppingUntilKeyframe = false;
      this.#options.log.warn('transcoder caught up, resuming input at a keyframe');
    } else if (stdin.writableLength > MAX_PENDING_BYTES) {
      this.#droppingUntilKeyframe = true;
      this.#droppedChunks++;
      this.#options.log.warn('transcoder too slow for the input: dropping frames until it catches up');
      return;
    }
    stdin.write(chunk);
  }

  #onExit(child: FfmpegHandle, code: number | null, signal: NodeJS.Signals | null): void {
    if (child === this.#replaced) this.#replaced = undefined;
    if (child !== this.#process || this.#stopping) return;
    this.#unsubscribe?.();
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

  /** Ready once the master and every variant playlist list at least one segment. */
  #watchForReadiness(): void {
    const dir = this.#options.outputDir;
    const variants = this.#options.renditions.map((rung) => join(dir, String(rung.index), VARIANT_PLAYLIST));
    const check = () => {
      if (this.#stopping) return;
      const ready = existsSync(join(dir, MASTER_PLAYLIST)) &&
        variants.every((file) => existsSync(file) && readFileSync(file, 'utf8').includes('#EXTINF'));
      if (ready) {
        this.#ready = true;
        this.emit('ready');
        return;
      }
      this.#readyTimer = setTimeout(check, READY_POLL_MS);
    };
    check();
  }
}
