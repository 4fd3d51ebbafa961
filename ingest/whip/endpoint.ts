// The WHIP front door (RFC 9725), without HTTP: an offer and a bearer stream key in, an answer
// and a session id out; a session id in to end it. api/ maps these outcomes to HTTP.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../config/index.ts';
import type { PublishGate } from '../contracts.ts';
import type { SpawnFfmpeg } from './remuxer.ts';
import { summarizeOffer } from './sdp.ts';
import { WhipSession, type WhipSessionTimeouts } from './session.ts';

/** The gate's answer for a key it does not know (see LiveManager.admit). */
const UNKNOWN_KEY_REASON = 'unknown stream key';

export interface WhipEndpointOptions {
  gate: PublishGate;
  ffmpegPath: string;
  spawnFfmpeg: SpawnFfmpeg;
  log: Logger;
  /** Added to the interfaces' own addresses in ICE candidates; default loopback. */
  iceAdditionalHostAddresses?: string[];
  timeouts?: Partial<WhipSessionTimeouts>;
  /** Concurrent sessions (each one runs an ffmpeg). */
  maxSessions?: number;
}

export interface WhipPublishRequest {
  offer: string;
  /** The bearer token: the live's stream key. */
  streamKey: string | undefined;
  remoteAddress: string;
}

export type WhipRefusal = 'unauthorized' | 'bad-offer' | 'refused' | 'unavailable';

export type WhipPublishOutcome =
  | { ok: true; sessionId: string; answer: string }
  | { ok: false; refusal: WhipRefusal; message: string };

export type WhipEndOutcome = 'ended' | 'not-found' | 'forbidden';

const DEFAULT_TIMEOUTS: WhipSessionTimeouts = { connectMs: 15_000, mediaMs: 10_000, keyframeIntervalMs: 2000 };

export class WhipEndpoint {
  readonly #options: WhipEndpointOptions;
  readonly #sessions = new Map<string, WhipSession>();
  #stopping = false;

  constructor(options: WhipEndpointOptions) {
    this.#options = options;
  }

  get sessionCount(): number { return this.#sessions.size; }

  async publish(request: WhipPublishRequest): Promise<WhipPublishOutcome> {
    const { log } = this.#options;
    const from = request.remoteAddress;
    if (!request.streamKey) {
      log.warn(`refused WHIP publish from ${from}: no bearer token (the stream key)`);
      return { ok: false, refusal: 'unauthorized', message: 'Missing bearer token: put the stream key in "Bearer Token"' };
    }
    if (this.#stopping) return { ok: false, refusal: 'unavailable', message: 'The server is shutting down' };
    if (this.#sessions.size >= (this.#options.maxSessions ?? 64)) {
      log.warn(`refused WHIP publish from ${from}: ${this.#sessions.size} WHIP sessions already`);
      return { ok: false, refusal: 'unavailable', message: 'Too many WHIP sessions on this server' };
    }
    const offer = summarizeOffer(request.offer);
    if (offer.problem) {
      log.warn(`refused WHIP publish from ${from}: ${offer.problem}`);
      return { ok: false, refusal: 'bad-offer', message: `Unusable SDP offer: ${offer.problem}` };
    }

    const id = randomUUID();
    const session = new WhipSession({
      id,
      remoteAddress: from,
      streamKey: request.streamKey,
      offer,
      ffmpegPath: this.#options.ffmpegPath,
      spawnFfmpeg: this.#options.spawnFfmpeg,
      iceAdditionalHostAddresses: this.#options.iceAdditionalHostAddresses ?? ['127.0.0.1'],
      timeouts: { ...DEFAULT_TIMEOUTS, ...this.#options.timeouts },
      log,
    });
    // Answer first, admit second: a malformed offer must never start (and so end) a live.
    let answer: string;
    try {
      answer = await session.negotiate(request.offer);
    } catch (error) {
      await session.shutdown('negotiation failed');
      log.warn(`refused WHIP publish from ${from}: negotiation failed: ${(error as Error).message}`);
      return { ok: false, refusal: 'bad-offer', message: `Unusable SDP offer: ${(error as Error).message}` };
    }

    let admission;
    try {
      admission = await this.#options.gate.admit(session.attempt);
    } catch (error) {
      await session.shutdown('admission failed');
      log.error(`WHIP publish from ${from} failed: ${(error as Error).message}`);
      throw error;
    }
    if (!admission.admitted) {
      await session.shutdown('refused');
      log.warn(`refused WHIP publish from ${from}: ${admission.reason}`);
      return admission.reason === UNKNOWN_KEY_REASON
        ? { ok: false, refusal: 'unauthorized', message: 'Invalid bearer token: no live has this stream key' }
        : { ok: false, refusal: 'refused', message: admission.reason };
    }

    this.#sessions.set(id, session);
    session.once('closed', () => this.#sessions.delete(id));
    try {
      await session.start(admission.publisherGone);
    } catch (error) {
      session.close(`could not start: ${(error as Error).message}`);
      throw error;
    }
    if (session.closed) return { ok: false, refusal: 'unavailable', message: 'The session ended while starting' };
    return { ok: true, sessionId: id, answer };
  }

  /** DELETE on the session URL. A bearer, when sent, must be the session's stream key. */
  end(sessionId: string, streamKey: string | undefined): WhipEndOutcome {
    const session = this.#sessions.get(sessionId);
    if (!session) return 'not-found';
    if (streamKey !== undefined && streamKey.toLowerCase() !== session.attempt.streamKey.toLowerCase()) return 'forbidden';
    session.close('the publisher ended the session (DELETE)');
    return 'ended';
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all([...this.#sessions.values()].map((session) => session.shutdown('server shutting down')));
  }
}
