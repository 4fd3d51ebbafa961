// The receiving side of the fleet: every client hands its event frames here; measured probes from
// other clients become latency samples. Only counted until collect(): later arrivals are missing.
import { findProbe, now } from './probe.ts';
import { SampleBuffer } from './samples.ts';

export class Recorder {
  private readonly samples = new SampleBuffer();
  /** Send time of each sample, for the per-second timeline (BENCH_TIMELINE). */
  private readonly sentAt = new SampleBuffer();
  private open = true;

  /** The event handler of client `index`. */
  handlerFor(index: number): (frame: Buffer) => void {
    return (frame) => {
      if (!this.open) return;
      const arrivedAt = now();
      const probe = findProbe(frame);
      // Other events (settings, deletions) and warm-up messages are not timed; nor are the
      // client's own messages, whether or not a server echoes them to their author.
      if (!probe || probe.phase !== 'm' || probe.sender === index) return;
      this.samples.push(arrivedAt - probe.sentAt);
      this.sentAt.push(probe.sentAt);
    };
  }

  /** Stops recording and returns the samples and their send times. */
  collect(): { latencies: Float64Array; sentAt: Float64Array } {
    this.open = false;
    return { latencies: this.samples.values(), sentAt: this.sentAt.values() };
  }
}
