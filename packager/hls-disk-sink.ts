// Writes what the LL-HLS packager completes (init segments, whole segments) to disk: the DVR
// window beyond memory, and the recording a replay is made from. Writes are asynchronous and
// bounded, so that a slow or stuck disk never delays the live path or the other renditions.
import { mkdirSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../config/index.ts';
import { segmentUri, type RenditionSink } from './hls/index.ts';

/** Writes queued at most per rendition; beyond, segments are dropped from disk (and counted). */
const MAX_PENDING_WRITES = 32;

export interface DiskSinkOptions {
  dir: string;
  /** Keep this many segments on disk, or every segment when undefined (the replay needs them). */
  keepSegments: number | undefined;
  log: Logger;
}

export interface DiskSink extends RenditionSink {
  readonly droppedWrites: number;
  /** Resolves when every queued write has finished. */
  flush(): Promise<void>;
}

export function createDiskSink(options: DiskSinkOptions): DiskSink {
  mkdirSync(options.dir, { recursive: true });
  const pending = new Set<Promise<void>>();
  const written: number[] = [];
  let dropped = 0;

  const track = (work: Promise<void>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };
  const write = (name: string, bytes: Uint8Array) => {
    if (pending.size >= MAX_PENDING_WRITES) {
      dropped++;
      if (dropped === 1 || dropped % 100 === 0) options.log.warn(`disk too slow: ${dropped} segment write(s) dropped in ${options.dir}`);
      return false;
    }
    track(writeFile(join(options.dir, name), bytes).catch((error: Error) => {
      options.log.error(`writing ${name}: ${error.message}`);
    }));
    return true;
  };

  return {
    init: (record) => { write(record.uri, record.init.bytes); },
    segment: (segment) => {
      if (!write(segmentUri(segment.msn), segment.bytes)) return;
      if (options.keepSegments === undefined) return;
      written.push(segment.msn);
      while (written.length > options.keepSegments) {
        const old = written.shift()!;
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
