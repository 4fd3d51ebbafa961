// The RTMP(S) front door: node-media-server owns the sockets and the protocol; this file
// turns each publish into a PublishAttempt and enforces the gate's answer.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../config/index.ts';
import type { PublishGate } from '../contracts.ts';
import { createNodeMediaServer, type NodeMediaServer, type NmsSession } from './nms.ts';
import { FlvFeed } from './flv-feed.ts';
import { guardRtmpServer, type RtmpLimits } from './guard.ts';

export interface RtmpServerOptions {
  host: string;
  port: number;
  tls?: { port: number; certFile: string; keyFile: string };
  /** The application name in rtmp://host/<app>/<key>, as OBS expects it. */
  app: string;
  workDir: string;
  gate: PublishGate;
  log: Logger;
  /** Hostile-input limits (config rtmp.maxMessageBytes, maxChunkStreams, idleTimeoutSeconds). */
  limits: RtmpLimits;
}

export class RtmpIngestServer {
  readonly #options: RtmpServerOptions;
  readonly #nms: NodeMediaServer;
  /** Publisher sessions the gate admitted, keyed by NMS session id. */
  readonly #admitted = new Map<string, () => void>();

  constructor(options: RtmpServerOptions) {
    this.#options = options;
    if (options.tls) {
      // Fail at start-up with a clear message rather than deep inside NMS.
      readFileSync(options.tls.certFile);
      readFileSync(options.tls.keyFile);
    }
    this.#nms = createNodeMediaServer({
      bind: options.host,
      rtmp: { port: options.port },
      rtmps: options.tls ? { port: options.tls.port, cert: options.tls.certFile, key: options.tls.keyFile } : undefined,
      store: { path: join(options.workDir, 'nms') },
      record: { path: join(options.workDir, 'nms', 'record'), auto: false },
    });
    // Before run(): from the first connection on, a protocol error closes that socket, not the process.
    guardRtmpServer(this.#nms.rtmpServer, options.limits, options.log);
    this.#nms.on('prePublish', (session) => this.#onPublish(session));
    this.#nms.on('donePublish', (session) => this.#onPublishDone(session));
  }

  async start(): Promise<void> {
    await this.#nms.run();
    await Promise.all([this.#nms.rtmpServer.tcpServer, this.#nms.rtmpServer.tlsServer]
      .filter((server) => server !== undefined)
      .map((server) => new Promise<void>((resolve) => {
        if (server.listening) resolve(); else server.once('listening', () => resolve());
      })));
    this.#options.log.info(`RTMP listening on ${this.#options.host}:${this.port}` +
      (this.#options.tls ? `, RTMPS on ${this.tlsPort}` : ''));
  }

  get port(): number {
    return (this.#nms.rtmpServer.tcpServer?.address() as AddressInfo | null)?.port ?? this.#options.port;
  }

  get tlsPort(): number | undefined {
    return (this.#nms.rtmpServer.tlsServer?.address() as AddressInfo | null)?.port;
  }

  async stop(): Promise<void> {
    await this.#nms.stop();
  }

  #onPublish(session: NmsSession): void {
    const log = this.#options.log;
    // Our own reconnect policy lives above ingest; NMS's built-in grace would delay "ended".
    session.broadcast.publishGraceMs = 0;
    const secure = session.protocol === 'rtmp' && this.#isTls(session);
    if (session.streamApp !== this.#options.app) {
      log.warn(`refused RTMP publish from ${session.ip}: unknown application "${session.streamApp}"`);
      session.close();
      return;
    }
    const attempt = {
      protocol: secure ? 'rtmps' as const : 'rtmp' as const,
      streamKey: session.streamName,
      remoteAddress: session.ip,
      feed: new FlvFeed(session.broadcast),
      disconnect: (reason: string) => {
        log.info(`closing RTMP publisher ${session.ip}: ${reason}`);
        session.close();
      },
    };
    this.#options.gate.admit(attempt).then((admission) => {
      if (!admission.admitted) {
        log.warn(`refused RTMP publish from ${session.ip}: ${admission.reason}`);
        session.close();
        return;
      }
      if (session.broadcast.publisher !== session) {
        // The socket went away (or NMS refused it) while the gate was deciding.
        admission.publisherGone();
        return;
      }
      this.#admitted.set(session.id, admission.publisherGone);
    }, (error: Error) => {
      log.error(`RTMP publish from ${session.ip} failed: ${error.message}`);
      session.close();
    });
  }

  #onPublishDone(session: NmsSession): void {
    const gone = this.#admitted.get(session.id);
    if (!gone) return;
    this.#admitted.delete(session.id);
    gone();
  }

  #isTls(session: NmsSession): boolean {
    const socket = (session as unknown as { socket?: { encrypted?: boolean } }).socket;
    return socket?.encrypted === true;
  }
}
