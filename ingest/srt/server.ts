// The SRT front door, in the form OBS uses: `srt://host:port?streamid=<stream key>`, caller mode.
//
// Design. ffmpeg's SRT listener takes one caller and any stream id, so it cannot be the door.
// This server owns the one UDP port and speaks just enough SRT to check the key first:
//   1. Induction: answered here, statelessly, with a SYN cookie bound to the caller's address
//      and the minute (what libsrt does). Spoofed or stray datagrams cost nothing and create
//      no state.
//   2. Conclusion: the cookie proves the address; the Stream ID extension gives the key (bare,
//      or `#!::r=<key>,m=publish`); the PublishGate decides. A refusal is answered with an SRT
//      rejection (1403 forbidden, 1400 bad request, 1402 overloaded, ...), so the publisher's
//      connect fails at once with a reason, and a log line says why.
//   3. Admitted: only now is a process started. An SrtSession spawns an ffmpeg SRT listener on
//      a loopback port (MPEG-TS in, FLV out on a pipe), replays the handshake to it, and relays
//      datagrams between the publisher and it; its FLV feeds the same PublishGate path as RTMP.
// Compared with spawning a listener for each new peer and relaying from the first datagram,
// nobody without a valid key (and a real source address) ever gets an ffmpeg, and refusals
// never touch a process.
//
// Capacity and cost, measured on this 2-core machine (ffmpeg 5.1, libsrt 1.5.1, Node 24), for a
// 6.5 Mbit/s H.264 + AAC publisher, about 680 datagrams/s:
//   - before admission (handshake, gate): no process; a map entry; a refusal is remembered 10 s.
//   - admitted: one ffmpeg, about 62 MB RSS of which about 21 MB is its own (the rest is shared
//     libraries, common to every ffmpeg); 4 % of a core with the AAC re-encode, 2 % with
//     audio 'copy'; about 1 % while a connected publisher sends nothing (libsrt's timers), until
//     SRT's 5 s peer-idle timeout ends the connection. Plus one loopback UDP socket and the GOP
//     cache (capped at 32 MiB; 1-3 MB for 2 s keyframe intervals).
//   - the relay, in this process: about 17 µs of CPU per relayed datagram (one recv, one send
//     on a connected socket); with the FLV parsing and the feed, about 3 % of a core for that
//     publisher.
// The number of concurrent publishers is capped by `maxSessions` (default 64, refused with
// 1402 and a log line beyond it): the transcoders behind them run out of CPU long before the
// relay or these ffmpegs do. Sessions with no datagram for `idleTimeoutMs` are closed.
// Not supported: rendezvous mode, the old HSv4 handshake (libsrt < 1.3), and passphrases
// (a publisher that sets one is refused with SRT_REJ_UNSECURE before the gate is asked).
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../../config/index.ts';
import type { PublishGate } from '../contracts.ts';
import { CookieJar } from './cookie.ts';
import {
  ExtensionType, HandshakeType, RejectCode, buildInductionResponse, buildRejection, isHandshake, parseHandshake, streamIdField,
  type Handshake,
} from './handshake.ts';
import { SrtSession, type SpawnFfmpeg } from './session.ts';
import { decodeStreamIdField, parseStreamId } from './stream-id.ts';

export type { SpawnFfmpeg, FfmpegChild } from './session.ts';

export interface SrtServerOptions {
  host: string;
  port: number;
  gate: PublishGate;
  /** The ffmpeg to run (with libsrt), and the one function allowed to spawn it (packager's spawnFfmpeg). */
  ffmpegPath: string;
  spawnFfmpeg: SpawnFfmpeg;
  log: Logger;
  maxSessions?: number;
  idleTimeoutMs?: number;
  /** The receiver's latency floor in ms; a publisher asking for more gets more. */
  latencyMs?: number;
  /** 'aac' (default) re-encodes any audio to AAC so that Opus works; 'copy' when all publishers send AAC. */
  audio?: 'aac' | 'copy';
}

const DEFAULT_MAX_SESSIONS = 64;
const DEFAULT_IDLE_TIMEOUT_MS = 10_000;
const DEFAULT_LATENCY_MS = 120;
/** A refused publisher keeps resending its conclusion for up to its connect timeout (3 s). */
const REFUSAL_MEMORY_MS = 10_000;
const MAX_REMEMBERED_REFUSALS = 1024;
const SWEEP_MS = 1000;
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

interface Refusal {
  socketId: number;
  rejection: Buffer;
  until: number;
}

export class SrtIngestServer {
  readonly #options: SrtServerOptions;
  readonly #socket: Socket;
  readonly #cookies = new CookieJar();
  /** One entry per publisher address:port, from its accepted conclusion until its session closes. */
  readonly #sessions = new Map<string, SrtSession>();
  readonly #refusals = new Map<string, Refusal>();
  readonly #epoch = performance.now();
  #sweep: NodeJS.Timeout | undefined;
  #stopping = false;
  #socketOpen = false;

  constructor(options: SrtServerOptions) {
    this.#options = options;
    this.#socket = createSocket({ type: isIPv6(options.host) ? 'udp6' : 'udp4' });
    this.#socket.on('message', (packet, remote) => this.#onMessage(packet, remote));
  }

  async start(): Promise<void> {
    const { host, port, log } = this.#options;
    await new Promise<void>((resolve, reject) => {
      this.#socket.once('error', (error) => {
        this.#socket.close();
        reject(error);
      });
      this.#socket.bind(port, host, () => {
        this.#socket.removeAllListeners('error');
        this.#socketOpen = true;
        resolve();
      });
    });
    this.#socket.on('error', (error) => log.error(`SRT socket: ${error.message}`));
    try {
      this.#socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES); // the kernel caps it at net.core.rmem_max
    } catch {
      // Keep the system default.
    }
    this.#sweep = setInterval(() => this.#sweepIdle(), SWEEP_MS);
    this.#sweep.unref();
    log.info(`SRT listening on ${host}:${this.port}`);
  }

  get port(): number {
    return this.#socket.address().port;
  }

  /** Publishers being checked or connected. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    clearInterval(this.#sweep);
    const sessions = [...this.#sessions.values()];
    for (const session of sessions) session.stop('server shutting down');
    await Promise.all(sessions.map((session) => session.closed));
    if (!this.#socketOpen) return;
    this.#socketOpen = false;
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
  }

  #onMessage(packet: Buffer, remote: RemoteInfo): void {
    if (this.#stopping) return;
    const key = `${remote.address}|${remote.port}`;
    const session = this.#sessions.get(key);
    if (session && !isHandshake(packet)) {
      session.fromPeer(packet, undefined); // the hot path: media from a connected publisher
      return;
    }
    const handshake = parseHandshake(packet);
    if (!handshake) return; // not for us, or a publisher we do not know (any more)
    if (handshake.type === HandshakeType.INDUCTION) {
      this.#send(buildInductionResponse(handshake, this.#cookies.cookieFor(remote.address, remote.port), remote.address, this.#timestamp()), remote);
      return;
    }
    if (handshake.type !== HandshakeType.CONCLUSION) return;
    if (session) {
      if (handshake.socketId === session.callerSocketId) {
        session.fromPeer(packet, handshake);
      } else if (this.#cookies.accepts(handshake.cookie, remote.address, remote.port)) {
        // The same address and port started a new connection: the old one is dead. Its session
        // goes first; the publisher's next resend of this conclusion starts the new one.
        session.stop('the publisher reconnected');
      }
      return;
    }
    this.#onConclusion(packet, handshake, remote, key);
  }

  #onConclusion(packet: Buffer, handshake: Handshake, remote: RemoteInfo, key: string): void {
    const { log } = this.#options;
    const refusal = this.#refusals.get(key);
    if (refusal && refusal.socketId === handshake.socketId) {
      this.#send(refusal.rejection, remote); // our rejection was lost: say it again
      return;
    }
    if (!this.#cookies.accepts(handshake.cookie, remote.address, remote.port)) {
      log.debug(`SRT conclusion from ${remote.address}:${remote.port} without our cookie: ignored`);
      return;
    }
    if (handshake.version < 5) {
      this.#refuse(key, handshake, remote, RejectCode.BAD_REQUEST, 'the caller uses the HSv4 handshake (libsrt < 1.3), which carries no stream id');
      return;
    }
    if (handshake.extensions.some((extension) => extension.type === ExtensionType.KMREQ)) {
      // Refused here, not by the listener after the gate: a live must not start for a publisher
      // whose connection cannot succeed.
      this.#refuse(key, handshake, remote, RejectCode.UNSECURE, 'the publisher set an SRT passphrase; this server takes none (remove it in OBS)');
      return;
    }
    const field = streamIdField(handshake);
    const parsed = parseStreamId(field ? decodeStreamIdField(field) : undefined);
    if (!parsed.ok) {
      this.#refuse(key, handshake, remote, parsed.code, parsed.reason);
      return;
    }
    const maxSessions = this.#options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    if (this.#sessions.size >= maxSessions) {
      this.#refuse(key, handshake, remote, RejectCode.OVERLOAD, `${maxSessions} SRT publishers already connected (maxSessions)`);
      return;
    }
    const session = new SrtSession({
      address: remote.address,
      port: remote.port,
      streamKey: parsed.streamKey,
      conclusion: packet,
      ffmpegPath: this.#options.ffmpegPath,
      spawnFfmpeg: this.#options.spawnFfmpeg,
      latencyMs: this.#options.latencyMs ?? DEFAULT_LATENCY_MS,
      audio: this.#options.audio ?? 'aac',
      sendToPeer: (datagram) => this.#send(datagram, remote),
      log,
    });
    this.#sessions.set(key, session);
    void session.closed.then(() => {
      if (this.#sessions.get(key) === session) this.#sessions.delete(key);
    });
    this.#options.gate.admit(session.attempt).then((admission) => {
      if (admission.admitted) {
        void session.begin(admission.publisherGone);
        return;
      }
      session.stop('refused');
      this.#refuse(key, handshake, remote, RejectCode.FORBIDDEN, admission.reason);
    }, (error: Error) => {
      log.error(`SRT publish from ${session.remote} failed: ${error.message}`);
      session.stop('the gate failed');
      this.#refuse(key, handshake, remote, RejectCode.INTERNAL, 'internal error');
    });
  }

  #refuse(key: string, handshake: Handshake, remote: RemoteInfo, code: number, reason: string): void {
    this.#options.log.warn(`refused SRT publish from ${remote.address}:${remote.port}: ${reason}`);
    const rejection = buildRejection(handshake, code, this.#timestamp());
    if (this.#refusals.size >= MAX_REMEMBERED_REFUSALS) this.#refusals.delete(this.#refusals.keys().next().value!);
    this.#refusals.set(key, { socketId: handshake.socketId, rejection, until: Date.now() + REFUSAL_MEMORY_MS });
    this.#send(rejection, remote);
  }

  #sweepIdle(): void {
    const now = Date.now();
    const idleMs = this.#options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    for (const session of this.#sessions.values()) {
      if (now - session.lastPeerPacketAt > idleMs) session.stop(`no datagram from the publisher for ${Math.round(idleMs / 1000)} s`);
    }
    for (const [key, refusal] of this.#refusals) if (refusal.until < now) this.#refusals.delete(key);
  }

  #send(datagram: Buffer, remote: RemoteInfo): void {
    if (!this.#socketOpen) return;
    this.#socket.send(datagram, remote.port, remote.address, () => undefined);
  }

  /** Microseconds since this server started, as SRT timestamps count. */
  #timestamp(): number {
    return Math.floor((performance.now() - this.#epoch) * 1000) >>> 0;
  }
}
