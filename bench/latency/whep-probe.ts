// Watches a live over WHEP like a WebRTC player: RTP in, frames assembled, decoded, and each
// decoded frame's barcode read. Its latency is the wall time it came out of the decoder − the
// publisher's send time of that frame. The decode step is included on purpose (a viewer's
// decoder adds it too); it is kept minimal (one thread, low_delay, an AUD after every frame; the
// WHEP encoder makes no B-frames) and its share is reported as decodeMs. Not included: a
// browser's jitter buffer (its playout delay, some tens of ms on a clean network) and the wait
// for the next display refresh.
import { settleWithin, sleep } from '../../test/helpers/wait.ts';
import { readBarcode } from './barcode.ts';
import { publishedTimeOf } from './publisher.ts';
import { startGrayDecoder } from './gray-decoder.ts';
import { H264Depacketizer } from './h264-depacketizer.ts';
import { openWhep } from './whep-client.ts';
import { percentile } from './stats.ts';

const FIRST_FRAME_TIMEOUT_MS = 30_000;
/**
 * Output without reordering delay, and almost no stream analysis before decoding starts (not
 * -fflags nobuffer: it throws away what the analysis read, and the first frames with it).
 */
const LOW_DELAY_H264 = ['-flags', 'low_delay', '-probesize', '32', '-analyzeduration', '0', '-f', 'h264'];

export interface WhepProbeOptions {
  whepUrl: string;
  /** Wall-clock ms at which the publisher sent media time t (seconds). */
  sendTime(seconds: number): number;
  durationMs: number;
  /**
   * Not counted after the first frame: a new WHEP encoder starts on the live's cached GOP and
   * catches up to the live edge; the steady state is measured, as the LL-HLS probe starts at the edge.
   */
  warmupMs: number;
}

export interface WhepProbeResult {
  latencies: number[];
  /** Decoded frames in the window whose barcode could not be read (damaged pictures). */
  unreadable: number;
  /** RTP packets missing in the window, and during the start-up before it. */
  lostPackets: number;
  startupLostPackets: number;
  /** Median time from a frame handed to the decoder to it coming out; part of the latencies. */
  decodeMs: number;
  /** From the WHEP POST to the first decoded frame. */
  startupMs: number;
}

/** Decoded frames in, latencies out; only frames that come out inside `window` are counted. */
class FrameMeter {
  readonly latencies: number[] = [];
  readonly decodeDelays: number[] = [];
  unreadable = 0;
  window = { start: Number.POSITIVE_INFINITY, end: Number.POSITIVE_INFINITY };
  readonly firstFrame = Promise.withResolvers<number>();
  /** When each frame still in the decoder went in (one frame in, one out: no B-frames). */
  readonly #written: number[] = [];
  readonly #sendTime: (seconds: number) => number;

  constructor(sendTime: (seconds: number) => number) {
    this.#sendTime = sendTime;
  }

  written(): void {
    this.#written.push(Date.now());
  }

  decoded(frame: Uint8Array): void {
    const now = Date.now();
    const written = this.#written.shift();
    this.firstFrame.resolve(now);
    if (now < this.window.start || now > this.window.end) return;
    if (written !== undefined) this.decodeDelays.push(now - written);
    const number = readBarcode(frame);
    if (number === undefined) this.unreadable++;
    else this.latencies.push(now - this.#sendTime(publishedTimeOf(number)));
  }
}

export async function probeWhep(options: WhepProbeOptions): Promise<WhepProbeResult> {
  const meter = new FrameMeter(options.sendTime);
  const depacketizer = new H264Depacketizer();
  const decoder = startGrayDecoder(LOW_DELAY_H264, (frame) => meter.decoded(frame));
  const posted = Date.now();
  let session: Awaited<ReturnType<typeof openWhep>> | undefined;
  try {
    session = await openWhep(options.whepUrl, (packet) => {
      const frame = depacketizer.push(packet);
      if (!frame) return;
      meter.written();
      decoder.write(frame);
    });
    const first = await settleWithin(meter.firstFrame.promise, FIRST_FRAME_TIMEOUT_MS);
    if (first === 'timeout') throw new Error(`WHEP: no decoded frame within ${FIRST_FRAME_TIMEOUT_MS / 1000} s`);
    meter.window = { start: first + options.warmupMs, end: first + options.warmupMs + options.durationMs };
    await sleep(meter.window.start - Date.now());
    const startupLostPackets = depacketizer.lost;
    await sleep(meter.window.end - Date.now());
    return {
      latencies: meter.latencies, unreadable: meter.unreadable,
      lostPackets: depacketizer.lost - startupLostPackets, startupLostPackets,
      decodeMs: percentile(meter.decodeDelays, 50), startupMs: first - posted,
    };
  } finally {
    await session?.close();
    await decoder.close();
  }
}
