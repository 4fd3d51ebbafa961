// Feeds a live's media into an ffmpeg's stdin without ever letting a slow ffmpeg hold the
// publisher back (a reader too slow gets frames dropped, never the writer blocked): past a bound of
// unwritten bytes, input is dropped up to the next keyframe, where decoding can resume cleanly.
import type { Writable } from 'node:stream';
import type { MediaSink } from '../ingest/contracts.ts';

export interface BoundedInputOptions {
  maxPendingBytes: number;
  /** Called when dropping starts (the reader is too slow) and when it stops. */
  onDropStart?: () => void;
  onResume?: () => void;
}

export interface BoundedInput extends MediaSink {
  /** Chunks dropped so far. */
  readonly dropped: number;
}

export function boundedInput(stdin: Writable | null, options: BoundedInputOptions): BoundedInput {
  let dropping = false;
  let dropped = 0;
  return {
    get dropped() { return dropped; },
    write(chunk, isKeyframe) {
      if (!stdin || stdin.destroyed || stdin.writableEnded) return;
      if (dropping) {
        // Resume only on a keyframe, and only once the backlog has really drained.
        if (!isKeyframe || stdin.writableLength > options.maxPendingBytes / 2) {
          dropped++;
          return;
        }
        dropping = false;
        options.onResume?.();
      } else if (stdin.writableLength > options.maxPendingBytes) {
        dropping = true;
        dropped++;
        options.onDropStart?.();
        return;
      }
      stdin.write(chunk);
    },
  };
}
