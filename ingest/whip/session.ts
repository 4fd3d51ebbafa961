// One WHIP publish, from the offer to its end: a werift PeerConnection that receives H.264 and
// Opus, the loopback forwarding to one ffmpeg, and the FLV feed the transcoder reads. Ends on
// DELETE, on ICE/DTLS failure, when media stops coming, or when the server disconnects it; the
// gate hears "publisher gone" exactly once, whichever comes first.
import { EventEmitter } from 'node:events';
import {
  RTCPeerConnection, RTCRtpCodecParameters, useFIR, useNACK, usePLI, useSdesMid, useTransportWideCC, useTWCC,
  type MediaStreamTrack, type RTCRtpTransceiver,
} from 'werift';
import type { Logger } from '../../config/index.ts';
import type { PublishAttempt } from '../contracts.ts';
import { FlvGopFeed } from '../flv/index.ts';
import { RtpToFlvRemuxer, type SpawnFfmpeg } from './remuxer.ts';
import { reserveRtpPortPair, RtpForwarder } from './rtp-forwarder.ts';
import { loopbackSdp, type OfferSummary } from './sdp.ts';

const GATHERING_TIMEOUT_MS = 5000;
const WATCH_INTERVAL_MS = 250;
/** Keyframe requests while no keyframe came out yet (start-up, a new subscriber). */
const FIRST_KEYFRAME_RETRY_MS = 1000;

export interface WhipSessionTimeouts {
  /** From the answer to a connected DTLS transport. */
  connectMs: number;
  /** Without any RTP while connected: the publisher is gone (it did not say goodbye). */
  mediaMs: number;
  /** Ask for a keyframe when the publisher sent none for this long (keeps GOPs and memory small). */
  keyframeIntervalMs: number;
}

export interface WhipSessionOptions {
  id: string;
  remoteAddress: string;
  streamKey: string;
  offer: OfferSummary;
  ffmpegPath: string;
  spawnFfmpeg: SpawnFfmpeg;
  /** Extra host addresses for ICE candidates (loopback, for a publisher on the same machine). */
  iceAdditionalHostAddresses: string[];
  timeouts: WhipSessionTimeouts;
  log: Logger;
}

export interface WhipSessionEvents {
  closed: [reason: string];
}

export class WhipSession extends EventEmitter<WhipSessionEvents> {
  readonly id: string;
  readonly feed: FlvGopFeed;
  readonly attempt: PublishAttempt;
  readonly #options: WhipSessionOptions;
  readonly #pc: RTCPeerConnection;
  readonly #tracks = new Map<'video' | 'audio', MediaStreamTrack>();
  #forwarder: RtpForwarder | undefined;
  #ports: { video: number; audio: number | undefined } | undefined;
  #remuxer: RtpToFlvRemuxer | undefined;
  #publisherGone: (() => void) | undefined;
  #closed: string | undefined;
  #watch: NodeJS.Timeout | undefined;
  #answeredAt = 0;
  #connectedAt = 0;
  #lastKeyframeAt = 0;
  #lastKeyframeRequestAt = 0;
  #wantKeyframe = true;
  #tornDown: Promise<void> = Promise.resolve();

  constructor(options: WhipSessionOptions) {
    super();
    this.id = options.id;
    this.#options = options;
    this.feed = new FlvGopFeed({
      onSubscribe: () => { this.#wantKeyframe = true; this.#requestKeyframe(); },
      onKeyframe: () => { this.#lastKeyframeAt = Date.now(); this.#wantKeyframe = false; },
      onGopOverflow: (bytes) => options.log.warn(`GOP past ${Math.round(bytes / 1048576)} MiB without a keyframe: not cached`),
    });
    this.attempt = {
      protocol: 'whip',
      streamKey: options.streamKey,
      remoteAddress: options.remoteAddress,
      feed: this.feed,
      disconnect: (reason) => this.close(reason),
    };
    const { h264, opus } = options.offer;
    this.#pc = new RTCPeerConnection({
      // werift asks a public STUN server (stun.l.google.com) when iceServers is left out, which a
      // self-hosted server must never do unasked. An empty list means none: host candidates (plus
      // webrtc.publicIp) are gathered at once, with full ICE (ICE-lite made Chromium sessions fail
      // intermittently under load; a loopback STUN server cost werift's 5 s STUN timeout per answer).
      iceServers: [],
      codecs: {
        // Exactly the publisher's own H.264 format (any profile: it is copied, not decoded here).
        video: h264 ? [new RTCRtpCodecParameters({
          mimeType: 'video/H264', clockRate: 90000, payloadType: h264.payloadType, parameters: h264.parameters || undefined,
          rtcpFeedback: [useNACK(), usePLI(), useFIR(), useTWCC()],
        })] : [],
        audio: opus ? [new RTCRtpCodecParameters({
          mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: opus.payloadType, parameters: opus.parameters || undefined,
        })] : [],
      },
      headerExtensions: { video: [useSdesMid(), useTransportWideCC()], audio: [useSdesMid()] },
      iceAdditionalHostAddresses: options.iceAdditionalHostAddresses,
    });
    this.#pc.onTrack.subscribe((track) => this.#onTrack(track));
    this.#pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected' && !this.#connectedAt) {
        this.#connectedAt = Date.now();
        options.log.info(`WHIP session ${this.#label} connected`);
      }
      if (state === 'failed') this.close('ICE/DTLS failed');
      if (state === 'closed') this.close('the peer connection closed');
    });
  }

  get #label(): string { return `${this.id.slice(0, 8)} from ${this.#options.remoteAddress}`; }
  get closed(): boolean { return this.#closed !== undefined; }

  /** Answers the offer (before admission: a refused publisher costs no ffmpeg). */
  async negotiate(offerSdp: string): Promise<string> {
    await this.#pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    await this.#pc.setLocalDescription(await this.#pc.createAnswer());
    if (this.#pc.iceGatheringState !== 'complete') {
      await this.#pc.iceGatheringStateChange.watch((state) => state === 'complete', GATHERING_TIMEOUT_MS).catch(() => undefined);
    }
    const answer = this.#pc.localDescription?.sdp;
    if (!answer) throw new Error('no local description after negotiation');
    if (!this.#transceiver('video')?.codecs.length) throw new Error('the H.264 video could not be negotiated');
    return answer;
  }

  /** The gate admitted the publisher: start ffmpeg and forwarding, watch the connection. */
  async start(publisherGone: () => void): Promise<void> {
    this.#publisherGone = publisherGone;
    if (this.#closed) return this.#goneOnce();
    const video = this.#transceiver('video')!.codecs[0];
    const audio = this.#transceiver('audio')?.codecs[0];
    const ports = { video: await reserveRtpPortPair(), audio: audio ? await reserveRtpPortPair() : undefined };
    const sdp = loopbackSdp(
      { port: ports.video, payloadType: video.payloadType, parameters: video.parameters ?? '' },
      audio && ports.audio ? { port: ports.audio, payloadType: audio.payloadType, parameters: audio.parameters ?? '' } : undefined,
    );
    this.#forwarder = await RtpForwarder.open();
    this.#remuxer = await RtpToFlvRemuxer.start({
      ffmpegPath: this.#options.ffmpegPath,
      spawnFfmpeg: this.#options.spawnFfmpeg,
      sdp,
      hasAudio: audio !== undefined,
      feed: this.feed,
      log: this.#options.log,
    });
    void this.#remuxer.failed.then((reason) => this.close(reason));
    this.#ports = ports;
    for (const track of this.#tracks.values()) this.#forward(track);
    this.#answeredAt = Date.now();
    if (this.#closed) {
      // Closed while ffmpeg was starting: close() could not stop what did not exist yet.
      this.#tornDown = this.#teardown();
      await this.#tornDown;
      return;
    }
    this.#watch = setInterval(() => this.#check(), WATCH_INTERVAL_MS);
    this.#options.log.info(`WHIP session ${this.#label}: H.264 (${video.parameters ?? 'no fmtp'})` +
      `${audio ? ' + Opus' : ', no audio'}`);
  }

  /** Ends the session (idempotent). */
  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = reason;
    // A session refused at the door never started: its end is not news.
    this.#options.log[this.#publisherGone ? 'info' : 'debug'](`WHIP session ${this.#label} ended: ${reason}`);
    clearInterval(this.#watch);
    this.#goneOnce();
    this.#tornDown = this.#teardown();
    this.emit('closed', reason);
  }

  /** Ends the session and waits until ffmpeg and the sockets are gone. */
  async shutdown(reason: string): Promise<void> {
    this.close(reason);
    await this.#tornDown;
  }

  #goneOnce(): void {
    const gone = this.#publisherGone;
    this.#publisherGone = undefined;
    gone?.();
  }

  async #teardown(): Promise<void> {
    this.#forwarder?.close();
    this.feed.end();
    await Promise.allSettled([this.#remuxer?.stop(), this.#pc.close()]);
  }

  #transceiver(kind: 'video' | 'audio'): RTCRtpTransceiver | undefined {
    return this.#pc.getTransceivers().find((transceiver) => transceiver.kind === kind && !transceiver.rejected);
  }

  #onTrack(track: MediaStreamTrack): void {
    if (track.kind !== 'video' && track.kind !== 'audio') return;
    if (this.#tracks.has(track.kind)) return; // one of each: simulcast layers are not taken
    this.#tracks.set(track.kind, track);
    if (this.#ports) this.#forward(track);
  }

  #forward(track: MediaStreamTrack): void {
    const port = track.kind === 'video' ? this.#ports?.video : this.#ports?.audio;
    if (port && this.#forwarder) this.#forwarder.forward(track, port);
    if (track.kind === 'video') this.#requestKeyframe();
  }

  #requestKeyframe(): void {
    const track = this.#tracks.get('video');
    const transceiver = this.#transceiver('video');
    if (!track?.ssrc || !transceiver || this.#closed || !this.#connectedAt) return;
    this.#lastKeyframeRequestAt = Date.now();
    void transceiver.receiver.sendRtcpPLI(track.ssrc).catch(() => undefined);
  }

  #check(): void {
    const now = Date.now();
    const { timeouts } = this.#options;
    if (!this.#connectedAt) {
      if (now - this.#answeredAt > timeouts.connectMs) this.close(`ICE/DTLS did not connect within ${timeouts.connectMs / 1000} s`);
      return;
    }
    const lastMedia = this.#forwarder?.lastPacketAt || this.#connectedAt;
    if (now - lastMedia > timeouts.mediaMs) {
      this.close(`no media for ${timeouts.mediaMs / 1000} s`);
      return;
    }
    const sinceRequest = now - this.#lastKeyframeRequestAt;
    if (this.#wantKeyframe ? sinceRequest >= FIRST_KEYFRAME_RETRY_MS
      : now - this.#lastKeyframeAt >= timeouts.keyframeIntervalMs && sinceRequest >= timeouts.keyframeIntervalMs) {
      this.#requestKeyframe();
    }
  }
}
