// The WHEP source of one live: a single ffmpeg that reads the live's feed and encodes it once for
// every WebRTC viewer (H.264 without B-frames + Opus, RTP on loopback). Each RTP packet is parsed
// once and handed to every viewer; a viewer's slowness stays in that viewer (see viewer.ts).
import { createSocket, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { RtpPacket } from 'werift';
import type { Logger } from '../../config/index.ts';
import type { MediaFeed } from '../../ingest/contracts.ts';
import { spawnFfmpeg, type FfmpegHandle } from '../ffmpeg-process.ts';
import { buildWhepCommand } from './command.ts';
import { startsKeyframe } from './h264-rtp.ts';
import { boundedInput, type BoundedInput } from '../bounded-input.ts';

/** How far ffmpeg may fall behind its input before input is dropped up to the next keyframe. */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;
const MAX_RESTARTS = 3;
const STOP_TIMEOUT_MS = 3000;
const DESCRIBE_TIMEOUT_MS = 5000;

/** What a viewer takes from the source. */
export interface RtpReceiver {
  video(packet: RtpPacket, startsKeyframe: boolean): void;
  audio(packet: RtpPacket): void;
  /** ffmpeg restarted: timestamps and sequence numbers jump. */
  discontinuity(): void;
}

export interface WhepSourceOptions {
  feed: MediaFeed;
  ffmpegPath: string;
  maxHeight: number;
  videoBitrateKbps: number;
  keyframeSeconds: number;
  threads: number;
  log: Logger;
}

export interface WhepSourceEvents {
  failed: [reason: string];
}

function isRtcp(datagram: Buffer): boolean {
  // RTCP packet types 200-204 sit where RTP has marker + payload type.
  return datagram.length >= 2 && datagram[1] >= 200 && datagram[1] <= 204;
}

function bindLoopback(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve(socket));
  });
}

export class WhepSource extends EventEmitter<WhepSourceEvents> {
  readonly #options: WhepSourceOptions;
  readonly #receivers = new Set<RtpReceiver>();
  #sockets: { video: Socket; audio: Socket } | undefined;
  #process: FfmpegHandle | undefined;
  #unsubscribe: (() => void) | undefined;
  #hasAudio = false;
  #stopping = false;
  #restarts = 0;
  /** Chunks dropped by earlier encoder processes (restarts). */
  #droppedBefore = 0;
  #input: BoundedInput | undefined;
  #packets = 0;

  constructor(options: WhepSourceOptions) {
    super();
    this.#options = options;
  }

  get hasAudio(): boolean { return this.#hasAudio; }
  get receiverCount(): number { return this.#receivers.size; }
  get packets(): number { return this.#packets; }
  get droppedInputChunks(): number { return this.#droppedBefore + (this.#input?.dropped ?? 0); }

  async start(): Promise<void> {
    const source = await this.#options.feed.describe(DESCRIBE_TIMEOUT_MS);
    this.#hasAudio = source.hasAudio;
    const sockets = { video: await bindLoopback(), audio: await bindLoopback() };
    this.#sockets = sockets;
    sockets.video.on('message', (datagram) => this.#onDatagram(datagram, true));
    sockets.audio.on('message', (datagram) => this.#onDatagram(datagram, false));
    if (this.#stopping) return this.#closeSockets();
    this.#spawn();
  }

  add(receiver: RtpReceiver): void { this.#receivers.add(receiver); }
  remove(receiver: RtpReceiver): void { this.#receivers.delete(receiver); }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#unsubscribe?.();
    const child = this.#process;
    if (child) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await child.exited;
      clearTimeout(timer);
    }
    this.#closeSockets();
  }

  #closeSockets(): void {
    this.#sockets?.video.close();
    this.#sockets?.audio.close();
    this.#sockets = undefined;
  }

  #spawn(): void {
    const options = this.#options;
    const sockets = this.#sockets!;
    const args = buildWhepCommand({
      maxHeight: options.maxHeight,
      videoBitrateKbps: options.videoBitrateKbps,
      keyframeSeconds: options.keyframeSeconds,
      hasAudio: this.#hasAudio,
      videoPort: sockets.video.address().port,
      audioPort: sockets.audio.address().port,
      threads: options.threads,
    });
    options.log.debug(`ffmpeg ${args.join(' ')}`);
    const child = spawnFfmpeg(options.ffmpegPath, args, { stdin: 'pipe', onStderrLine: (line) => options.log.debug(`ffmpeg: ${line}`) });
    this.#process = child;
    this.#droppedBefore += this.#input?.dropped ?? 0;
    this.#input = boundedInput(child.stdin, {
      maxPendingBytes: MAX_PENDING_BYTES,
      onDropStart: () => options.log.warn('WHEP encoder too slow for the live: dropping input until the next keyframe'),
    });
    this.#unsubscribe = options.feed.subscribe(this.#input);
    void child.exited.then(({ code, signal }) => this.#onExit(child, code, signal));
  }



  #onExit(child: FfmpegHandle, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.#process || this.#stopping) return;
    this.#unsubscribe?.();
    const reason = `ffmpeg exited (${signal ?? `code ${code}`}): ${child.stderrTail().split('\n').slice(-2).join(' | ')}`;
    if (this.#restarts >= MAX_RESTARTS) {
      this.#options.log.error(`WHEP source gives up after ${this.#restarts} restarts: ${reason}`);
      this.emit('failed', reason);
      return;
    }
    this.#restarts++;
    this.#options.log.warn(`restarting the WHEP encoder (${this.#restarts}/${MAX_RESTARTS}): ${reason}`);
    for (const receiver of this.#receivers) receiver.discontinuity();
    this.#spawn();
  }

  #onDatagram(datagram: Buffer, isVideo: boolean): void {
    if (isRtcp(datagram) || this.#receivers.size === 0) return;
    let packet: RtpPacket;
    try {
      packet = RtpPacket.deSerialize(datagram);
    } catch {
      return;
    }
    this.#packets++;
    if (isVideo) {
      const keyframe = startsKeyframe(packet.payload);
      for (const receiver of this.#receivers) receiver.video(packet, keyframe);
    } else {
      for (const receiver of this.#receivers) receiver.audio(packet);
    }
  }
}
