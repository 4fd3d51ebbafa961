// One SRT publisher whose stream key the gate is checking or has admitted. It owns, once
// admitted, an ffmpeg SRT listener on a loopback port and a loopback UDP socket that relays
// datagrams between the publisher and that listener, and it turns ffmpeg's FLV into a GOP feed.
//
// The relay finishes a handshake the server started: the server answered the publisher's
// induction with its own cookie, so this session replays an induction to the listener, learns
// the listener's cookie, and forwards the publisher's conclusion with that cookie (and a
// loopback peer IP) in place; handshakes coming back get the publisher's cookie and address
// again. Everything else passes unchanged both ways.
import { createSocket, type Socket } from 'node:dgram';
import type { Readable } from 'node:stream';
import type { Logger } from '../../config/index.ts';
import type { PublishAttempt } from '../contracts.ts';
import { FlvGopFeed } from '../flv/index.ts';
import {
  HandshakeType, describeRejection, encodePeerIp, inductionRequestFrom, isRejection, parseHandshake, rewriteHandshake,
  type Handshake,
} from './handshake.ts';
import { buildListenerCommand } from './listener-command.ts';

/** The slice of packager/ffmpeg-process.ts's handle this file uses (ingest never imports packager). */
export interface FfmpegChild {
  readonly outputs: Readable[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderrTail(): string;
  kill(signal?: NodeJS.Signals): void;
}

export type SpawnFfmpeg = (binary: string, args: string[], options: {
  outputPipes?: number;
  onStderrLine?: (line: string) => void;
}) => FfmpegChild;

export interface SrtSessionOptions {
  address: string;
  port: number;
  streamKey: string;
  /** The publisher's conclusion request that asked for this stream. */
  conclusion: Buffer;
  ffmpegPath: string;
  spawnFfmpeg: SpawnFfmpeg;
  latencyMs: number;
  audio: 'aac' | 'copy';
  sendToPeer(packet: Buffer): void;
  log: Logger;
}

const LOOPBACK = '127.0.0.1';
const LOOPBACK_PEER_IP = encodePeerIp(LOOPBACK);
/** The publisher keeps resending its conclusion every 250 ms and gives up after 3 s (libsrt defaults). */
const HANDSHAKE_TIMEOUT_MS = 5000;
const INDUCTION_RETRY_MS = 100;
const LISTEN_TIMEOUT_MS = 10_000;
const KILL_AFTER_MS = 5000;
const ANALYZE_MS = 1000;
const AUDIO_BITRATE_KBPS = 192;

type State = 'admitting' | 'inducing' | 'concluding' | 'relaying' | 'closed';

export class SrtSession {
  readonly attempt: PublishAttempt;
  readonly feed: FlvGopFeed;
  /** address:port of the publisher, as log lines and the live manager show it. */
  readonly remote: string;
  /** The publisher's SRT socket id: a conclusion with another one is a new connection. */
  readonly callerSocketId: number;
  /** Resolves once everything is released and publisherGone (if admitted) was called. */
  readonly closed: Promise<void>;
  lastPeerPacketAt = Date.now();
  readonly #options: SrtSessionOptions;
  readonly #callerPeerIp: Buffer;
  #state: State = 'admitting';
  #conclusion: Buffer;
  #conclusionHandshake: Handshake;
  #listenerCookie = 0;
  #relay: Socket | undefined;
  #ffmpeg: FfmpegChild | undefined;
  #publisherGone: (() => void) | undefined;
  #stopReason: string | undefined;
  #inductionTimer: NodeJS.Timeout | undefined;
  #handshakeTimer: NodeJS.Timeout | undefined;
  #killTimer: NodeJS.Timeout | undefined;
  #resolveClosed: () => void = () => undefined;

  constructor(options: SrtSessionOptions) {
    this.#options = options;
    this.remote = options.address.includes(':') ? `[${options.address}]:${options.port}` : `${options.address}:${options.port}`;
    this.feed = new FlvGopFeed({
      onGopOverflow: (bytes) => options.log.warn(`SRT publisher ${this.remote}: GOP past ${Math.round(bytes / 1048576)} MiB without a keyframe: not cached`),
    });
    this.#conclusion = options.conclusion;
    const handshake = parseHandshake(options.conclusion);
    if (!handshake) throw new Error('not a handshake');
    this.#conclusionHandshake = handshake;
    this.callerSocketId = handshake.socketId;
    this.#callerPeerIp = encodePeerIp(options.address);
    this.closed = new Promise((resolve) => { this.#resolveClosed = resolve; });
    this.attempt = {
      protocol: 'srt',
      streamKey: options.streamKey,
      remoteAddress: this.remote,
      feed: this.feed,
      disconnect: (reason) => {
        if (this.#state === 'closed') return;
        options.log.info(`closing SRT publisher ${this.remote}: ${reason}`);
        this.stop(reason);
      },
    };
  }

  get state(): State { return this.#state; }

  /** A datagram from the publisher (inductions never get here: the server answers those). */
  fromPeer(packet: Buffer, handshake: Handshake | undefined): void {
    this.lastPeerPacketAt = Date.now();
    if (handshake?.type === HandshakeType.CONCLUSION) {
      // Resent until answered; the newest one is what the listener gets.
      this.#conclusion = packet;
      this.#conclusionHandshake = handshake;
      if (this.#state === 'concluding' || this.#state === 'relaying') this.#forwardConclusion();
      return;
    }
    if (this.#state === 'concluding' || this.#state === 'relaying') this.#toListener(packet);
  }

  /** The gate said yes: start the listener and finish the handshake through it. */
  async begin(publisherGone: () => void): Promise<void> {
    if (this.#state !== 'admitting') {
      // Stopped while the gate was deciding (server shutting down, publisher vanished).
      publisherGone();
      return;
    }
    this.#publisherGone = publisherGone;
    this.#state = 'inducing';
    const { log } = this.#options;
    try {
      const listenerPort = await freeLoopbackUdpPort();
      if (this.#state !== 'inducing') return;
      const relay = await this.#openRelay(listenerPort);
      if (this.#state !== 'inducing') {
        relay.close();
        return;
      }
      this.#relay = relay;
      this.#spawnListener(listenerPort);
    } catch (error) {
      log.error(`SRT publisher ${this.remote}: could not start its listener: ${(error as Error).message}`);
      this.stop('listener could not start');
      return;
    }
    this.#handshakeTimer = setTimeout(() => {
      log.warn(`SRT publisher ${this.remote}: no handshake with the listener within ${HANDSHAKE_TIMEOUT_MS / 1000} s`);
      this.stop('handshake timed out');
    }, HANDSHAKE_TIMEOUT_MS);
    // ffmpeg needs a moment to bind its port; UDP sent before that is simply lost, so repeat.
    const induce = () => this.#toListener(inductionRequestFrom(this.#conclusionHandshake, LOOPBACK_PEER_IP));
    induce();
    this.#inductionTimer = setInterval(induce, INDUCTION_RETRY_MS);
  }

  /** Ends the session: ffmpeg closes the SRT connection (the publisher gets a shutdown) and exits. */
  stop(reason: string): void {
    if (this.#state === 'closed' || this.#stopReason !== undefined) return;
    this.#stopReason = reason;
    const ffmpeg = this.#ffmpeg;
    if (!ffmpeg) {
      this.#close();
      return;
    }
    ffmpeg.kill('SIGTERM');
    this.#killTimer = setTimeout(() => ffmpeg.kill('SIGKILL'), KILL_AFTER_MS);
  }

  #spawnListener(listenerPort: number): void {
    const { log } = this.#options;
    const args = buildListenerCommand({
      port: listenerPort,
      latencyMs: this.#options.latencyMs,
      listenTimeoutMs: LISTEN_TIMEOUT_MS,
      analyzeMs: ANALYZE_MS,
      audio: this.#options.audio,
      audioBitrateKbps: AUDIO_BITRATE_KBPS,
    });
    log.debug(`ffmpeg ${args.join(' ')}`);
    const ffmpeg = this.#options.spawnFfmpeg(this.#options.ffmpegPath, args, {
      outputPipes: 1,
      onStderrLine: (line) => log.debug(`ffmpeg[${this.remote}]: ${line}`),
    });
    this.#ffmpeg = ffmpeg;
    void ffmpeg.exited.then(({ code, signal }) => this.#onExit(ffmpeg, code, signal));
    const flv = ffmpeg.outputs[0];
    if (!flv) throw new Error('ffmpeg was started without an output pipe');
    flv.on('data', (chunk: Buffer) => {
      if (this.#state === 'closed') return;
      try {
        this.feed.write(chunk);
      } catch (error) {
        log.error(`SRT publisher ${this.remote}: ${(error as Error).message}`);
        this.stop('unreadable FLV from ffmpeg');
      }
    });
    flv.on('error', () => undefined); // the exit handler reports what went wrong
  }

  #openRelay(listenerPort: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const relay = createSocket('udp4');
      relay.once('error', reject);
      relay.bind(0, LOOPBACK, () => {
        // Connected: the kernel drops datagrams from anything but the listener's port.
        relay.connect(listenerPort, LOOPBACK, () => {
          relay.off('error', reject);
          // ECONNREFUSED surfaces here while ffmpeg has not bound its port yet: expected.
          relay.on('error', () => undefined);
          relay.on('message', (packet) => this.#fromListener(packet));
          resolve(relay);
        });
      });
    });
  }

  #fromListener(packet: Buffer): void {
    const handshake = parseHandshake(packet);
    if (this.#state === 'inducing') {
      if (handshake?.type !== HandshakeType.INDUCTION) return;
      clearInterval(this.#inductionTimer);
      this.#listenerCookie = handshake.cookie;
      this.#state = 'concluding';
      this.#forwardConclusion();
      return;
    }
    if (handshake && isRejection(handshake)) {
      // ffmpeg's libsrt refused what the publisher asked for, e.g. encryption (we hold no passphrase).
      this.#options.log.warn(`refused SRT publish from ${this.remote}: the listener rejected the handshake, reason ${describeRejection(handshake.type)}`);
      this.#options.sendToPeer(this.#towardsPeer(packet));
      this.stop('handshake rejected');
      return;
    }
    if (handshake) {
      if (handshake.type === HandshakeType.CONCLUSION && this.#state === 'concluding') {
        clearTimeout(this.#handshakeTimer);
        this.#state = 'relaying';
        this.#options.log.info(`SRT publisher ${this.remote} connected`);
      }
      this.#options.sendToPeer(this.#towardsPeer(packet));
      return;
    }
    this.#options.sendToPeer(packet);
  }

  /** A listener's handshake as the publisher expects it: its own cookie (ours), its own address. */
  #towardsPeer(packet: Buffer): Buffer {
    return rewriteHandshake(packet, this.#conclusionHandshake.cookie, this.#callerPeerIp);
  }

  #forwardConclusion(): void {
    this.#toListener(rewriteHandshake(this.#conclusion, this.#listenerCookie, LOOPBACK_PEER_IP));
  }

  #toListener(packet: Buffer): void {
    this.#relay?.send(packet, () => undefined);
  }

  #onExit(ffmpeg: FfmpegChild, code: number | null, signal: NodeJS.Signals | null): void {
    clearTimeout(this.#killTimer);
    const { log } = this.#options;
    if (this.#stopReason !== undefined) {
      log.info(`SRT publisher ${this.remote} closed (${this.#stopReason})`);
    } else if (code === 0) {
      log.info(`SRT publisher ${this.remote} disconnected`);
    } else {
      const tail = ffmpeg.stderrTail().split('\n').slice(-3).join(' | ');
      log.warn(`SRT publisher ${this.remote} gone: ffmpeg exited (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ''}`);
    }
    this.#close();
  }

  #close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearInterval(this.#inductionTimer);
    clearTimeout(this.#handshakeTimer);
    this.#relay?.close();
    this.#relay = undefined;
    this.feed.end();
    const gone = this.#publisherGone;
    this.#publisherGone = undefined;
    gone?.();
    this.#resolveClosed();
  }
}

/** A loopback UDP port that was free a moment ago, for ffmpeg to listen on. */
function freeLoopbackUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createSocket('udp4');
    probe.once('error', reject);
    probe.bind(0, LOOPBACK, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
