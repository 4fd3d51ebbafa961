// Writes what the LL-HLS packager completes (init segments, whole segments) to disk: the DVR
// window beyond memory, and the recording a replay is made from. Writes are asynchronous and
// bounded, so that a slow or stuck disk never delays the live path or the other renditions.
import { mkdirSync } from 'node:fs';
import { appendFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../config/index.ts';
import { segmentUri, type RenditionSink } from './hls/index.ts';

/** Writes queued at most per rendition; beyond, segments are dropped from disk (and counted). */
const MAX_PENDING_WRITES = 32;

export interface DiskSinkOptions {
  dir: string;
  /**
   * Keep this many segments on disk, or every segment when undefined: the session is recorded for
   * its replay, and each segment is also listed in a manifest once its bytes are on disk, so that
   * a replay can be built even after a crash.
   */
  keepSegments: number | undefined;
  log: Logger;
}

/** One line per recorded segment, in order: what a VOD playlist needs to list it. */
export const SEGMENT_MANIFEST = 'segments.jsonl';

export interface RecordedSegment {
  msn: number;
  durationSeconds: number;
  initVersion: number;
  discontinuity: boolean;
  programDateTimeMs: number | undefined;
}

export interface DiskSink extends RenditionSink {
  readonly droppedWrites: number;
  /** Resolves when every queued write has finished. */
  flush(): Promise<void>;
}

export function createDiskSink(options: DiskSinkOptions): DiskSink {
  mkdirSync(options.dir, { recursive: true });
  const pending = new Set<Promise<void>>();
  // Manifest lines are appended one after the other, each after its segment's bytes are written.
  let manifestTail: Promise<void> = Promise.resolve();
  const onDisk: number[] = [];
  let dropped = 0;

  const track = (work: Promise<void>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };
  const write = (name: string, bytes: Uint8Array): Promise<boolean> | undefined => {
    if (pending.size >= MAX_PENDING_WRITES) {
      dropped++;
      if (dropped === 1 || dropped % 100 === 0) options.log.warn(`disk too slow: ${dropped} segment write(s) dropped in ${options.dir}`);
      return undefined;
    }
    const done = writeFile(join(options.dir, name), bytes).then(() => true, (error: Error) => {
      options.log.error(`writing ${name}: ${error.message}`);
      return false;
    });
    track(done.then(() => undefined));
    return done;
  };
  const record = (written: Promise<boolean>, entry: RecordedSegment) => {
    manifestTail = manifestTail.then(async () => {
      if (await written) await appendFile(join(options.dir, SEGMENT_MANIFEST), `${JSON.stringify(entry)}\n`);
    }).catch((error: Error) => options.log.error(`recording ${SEGMENT_MANIFEST}: ${error.message}`));
    track(manifestTail);
  };

  return {
    // The write's failure is logged and tracked by write() itself: nothing waits on an init segment.
    init: (record) => { void write(record.uri, record.init.bytes); },
    segment: (segment) => {
      const written = write(segmentUri(segment.msn), segment.bytes);
      if (!written) return;
      if (options.keepSegments === undefined) {
        record(written, {
          msn: segment.msn,
          durationSeconds: segment.durationSeconds,
          initVersion: segment.initVersion,
          discontinuity: segment.discontinuity,
          programDateTimeMs: segment.programDateTimeMs,
        });
        return;
      }
      onDisk.push(segment.msn);
      while (onDisk.length > options.keepSegments) {
        const old = onDisk.shift()!;
        track(unlink(join(options.dir, segmentUri(old))).catch(() => undefined));
      }
    },
    error: (error) => options.log.warn(`packager: ${error.message}`),
    get droppedWrites() { return dropped; },
    async flush() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
