// One WHEP viewer: a werift PeerConnection that only sends, fed by the live's WhepSource. Video
// starts on a keyframe; a viewer whose sends pile up (a slow or stuck peer) drops packets and
// starts again at the next keyframe, so it never holds up the source or the other viewers.
import { EventEmitter } from 'node:events';
import {
  RTCPeerConnection, useH264, useOPUS, useSdesMid,
  type RTCRtpSender, type RTCRtpTransceiver, type RtpPacket,
} from 'werift';
import type { Logger } from '../../config/index.ts';
import type { RtpReceiver } from './source.ts';

const GATHERING_TIMEOUT_MS = 5000;
/** Sends not yet handed to the socket, per viewer; beyond this the viewer drops. */
const MAX_IN_FLIGHT = 256;
const DISCONNECTED_GRACE_MS = 5000;

export interface WhepViewerOptions {
  id: string;
  remoteAddress: string;
  iceAdditionalHostAddresses: string[];
  /** From the answer to a connected DTLS transport. */
  connectTimeoutMs: number;
  log: Logger;
}

export interface WhepViewerEvents {
  closed: [reason: string];
}

export class WhepViewer extends EventEmitter<WhepViewerEvents> implements RtpReceiver {
  readonly id: string;
  readonly #options: WhepViewerOptions;
  readonly #pc: RTCPeerConnection;
  #videoSender: RTCRtpSender | undefined;
  #audioSender: RTCRtpSender | undefined;
  #connected = false;
  #videoStarted = false;
  #inFlight = 0;
  #dropped = 0;
  #closed: string | undefined;
  #connectTimer: NodeJS.Timeout | undefined;
  #disconnectTimer: NodeJS.Timeout | undefined;

  constructor(options: WhepViewerOptions) {
    super();
    this.id = options.id;
    this.#options = options;
    this.#pc = new RTCPeerConnection({
      // werift asks a public STUN server (stun.l.google.com) when iceServers is left out, which a
      // self-hosted server must never do unasked. An empty list means none: host candidates (plus
      // webrtc.publicIp) are gathered at once, with full ICE (ICE-lite made Chromium sessions fail
      // intermittently under load; a loopback STUN server cost werift's 5 s STUN timeout per answer).
      iceServers: [],
      codecs: { video: [useH264()], audio: [useOPUS()] },
      headerExtensions: { video: [useSdesMid()], audio: [useSdesMid()] },
      iceAdditionalHostAddresses: options.iceAdditionalHostAddresses,
    });
    this.#pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected' && !this.#connected) {
        this.#connected = true;
        clearTimeout(this.#connectTimer);
        options.log.debug(`WHEP viewer ${this.#label} connected`);
      }
      clearTimeout(this.#disconnectTimer);
      // A short network glitch recovers by itself; a viewer that closed its tab does not.
      if (state === 'disconnected') this.#disconnectTimer = setTimeout(() => this.close('ICE disconnected'), DISCONNECTED_GRACE_MS);
      if (state === 'failed') this.close('ICE/DTLS failed');
      if (state === 'closed') this.close('the peer connection closed');
    });
  }

  get #label(): string { return `${this.id.slice(0, 8)} (${this.#options.remoteAddress})`; }
  get closed(): boolean { return this.#closed !== undefined; }
  /** Packets this viewer could not take in time. */
  get dropped(): number { return this.#dropped; }

  /** Answers a recvonly offer with send-only video (and audio when the live has it). */
  async negotiate(offerSdp: string, hasAudio: boolean): Promise<string> {
    await this.#pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    const transceivers = this.#pc.getTransceivers().filter((transceiver) => !transceiver.rejected);
    const video = transceivers.find((transceiver) => transceiver.kind === 'video');
    const audio = hasAudio ? transceivers.find((transceiver) => transceiver.kind === 'audio') : undefined;
    if (!video) throw new Error('the offer has no video it can receive in H.264');
    for (const transceiver of transceivers) transceiver.setDirection(transceiver === video || transceiver === audio ? 'sendonly' : 'inactive');
    await this.#pc.setLocalDescription(await this.#pc.createAnswer());
    if (this.#pc.iceGatheringState !== 'complete') {
      await this.#pc.iceGatheringStateChange.watch((state) => state === 'complete', GATHERING_TIMEOUT_MS).catch(() => undefined);
    }
    const answer = this.#pc.localDescription?.sdp;
    if (!answer) throw new Error('no local description after negotiation');
    if (!negotiated(video)) throw new Error('H.264 could not be negotiated with this viewer');
    this.#videoSender = video.sender;
    this.#audioSender = audio && negotiated(audio) ? audio.sender : undefined;
    this.#connectTimer = setTimeout(() => {
      if (!this.#connected) this.close(`ICE/DTLS did not connect within ${this.#options.connectTimeoutMs / 1000} s`);
    }, this.#options.connectTimeoutMs);
    return answer;
  }

  video(packet: RtpPacket, startsKeyframe: boolean): void {
    if (!this.#connected || !this.#videoSender) return;
    if (!this.#videoStarted) {
      if (!startsKeyframe) return;
      this.#videoStarted = true;
    }
    if (!this.#send(this.#videoSender, packet)) this.#videoStarted = false;
  }

  audio(packet: RtpPacket): void {
    if (this.#connected && this.#audioSender) this.#send(this.#audioSender, packet);
  }

  discontinuity(): void {
    this.#videoStarted = false;
    // The werift senders then keep their own sequence numbers and timestamps continuous.
    for (const sender of [this.#videoSender, this.#audioSender]) sender?.replaceRTP({ sequenceNumber: 0, timestamp: 0 });
  }

  #send(sender: RTCRtpSender, packet: RtpPacket): boolean {
    if (this.#inFlight >= MAX_IN_FLIGHT) {
      if (this.#dropped++ % 500 === 0) this.#options.log.warn(`WHEP viewer ${this.#label} too slow: dropping (${this.#dropped} so far)`);
      return false;
    }
    this.#inFlight++;
    sender.sendRtp(packet).catch(() => undefined).finally(() => { this.#inFlight--; });
    return true;
  }

  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = reason;
    clearTimeout(this.#connectTimer);
    clearTimeout(this.#disconnectTimer);
    this.#options.log.debug(`WHEP viewer ${this.#label} left: ${reason}`);
    void this.#pc.close().catch(() => undefined);
    this.emit('closed', reason);
  }
}

function negotiated(transceiver: RTCRtpTransceiver): boolean {
  return !transceiver.rejected && transceiver.codecs.length > 0;
}
