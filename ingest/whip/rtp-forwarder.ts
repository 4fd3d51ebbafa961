// Forwards what werift received (decrypted RTP, and the sender reports that let ffmpeg line
// audio up with video) to ffmpeg over loopback UDP. Nothing is buffered here: a datagram that
// cannot be sent is simply lost, as it would be on the network.
import { createSocket, type Socket } from 'node:dgram';
import type { MediaStreamTrack } from 'werift';

const LOOPBACK = '127.0.0.1';
const RTCP_SENDER_REPORT = 200;

function bindUdp(port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => { socket.close(); resolve(undefined); });
    socket.bind(port, LOOPBACK, () => resolve(socket));
  });
}

async function closeAll(sockets: Array<Socket | undefined>): Promise<void> {
  await Promise.all(sockets.map((socket) => socket && new Promise<void>((resolve) => socket.close(() => resolve()))));
}

/**
 * A loopback port p with p + 1 free too (ffmpeg takes RTP on p, RTCP on p + 1). Free a moment
 * ago: ffmpeg binds them right after, and a lost race shows as ffmpeg failing to start.
 */
export async function reserveRtpPortPair(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await bindUdp(0);
    if (!first) continue;
    const port = first.address().port;
    const second = port < 65535 ? await bindUdp(port + 1) : undefined;
    await closeAll([first, second]);
    if (second) return port;
  }
  throw new Error('no free pair of loopback UDP ports');
}

export class RtpForwarder {
  readonly #socket: Socket;
  readonly #unsubscribe: Array<() => void> = [];
  #closed = false;
  #packets = 0;
  #lastPacketAt = 0;

  private constructor(socket: Socket) {
    this.#socket = socket;
    // ffmpeg answers with receiver reports; nobody needs them.
    socket.on('message', () => undefined);
    socket.on('error', () => undefined);
  }

  static async open(): Promise<RtpForwarder> {
    const socket = await bindUdp(0);
    if (!socket) throw new Error('could not bind a loopback UDP socket');
    return new RtpForwarder(socket);
  }

  get packets(): number { return this.#packets; }
  /** Date.now() of the last forwarded RTP packet, 0 before the first. */
  get lastPacketAt(): number { return this.#lastPacketAt; }

  /** Sends the track's RTP to `port` and its sender reports to `port + 1`. */
  forward(track: MediaStreamTrack, port: number): void {
    const rtp = track.onReceiveRtp.subscribe((packet) => {
      // Padding-only packets (bandwidth probes) carry no media and upset ffmpeg's depacketizer.
      if (this.#closed || packet.payload.length === 0) return;
      this.#packets++;
      this.#lastPacketAt = Date.now();
      this.#socket.send(packet.serialize(), port, LOOPBACK);
    });
    const rtcp = track.onReceiveRtcp.subscribe((packet) => {
      if (this.#closed || packet.type !== RTCP_SENDER_REPORT) return;
      this.#socket.send(packet.serialize(), port + 1, LOOPBACK);
    });
    this.#unsubscribe.push(rtp.unSubscribe, rtcp.unSubscribe);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#socket.close();
  }
}
