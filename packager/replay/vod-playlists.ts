// Turns a recorded live session (segments + their manifest, on disk) into on-demand HLS in the same
// folder: a VOD media playlist per rendition listing every recorded segment, and a master playlist.
// It works from the disk alone, so a session cut short by a crash becomes a replay too.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { codecsOf, primaryTrack, Fmp4StreamParser } from '../fmp4/index.ts';
import {
  initUri, segmentUri, writeMasterPlaylist, writeMediaPlaylist, MASTER_PLAYLIST_NAME, MEDIA_PLAYLIST_NAME,
  type SegmentInfo, type VariantStream,
} from '../hls/index.ts';
import { SEGMENT_MANIFEST, type RecordedSegment } from '../hls-disk-sink.ts';

export interface ReplayPlaylists {
  /** Seconds of media in the first rendition. */
  durationSeconds: number;
  renditions: number[];
  segments: number;
}

function readManifest(dir: string): RecordedSegment[] {
  const file = join(dir, SEGMENT_MANIFEST);
  if (!existsSync(file)) return [];
  const entries: RecordedSegment[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      entries.push(JSON.parse(line) as RecordedSegment);
    } catch {
      break; // a line cut short by a crash: everything before it is whole
    }
  }
  // Keep only segments whose bytes are really there.
  return entries.filter((entry) => existsSync(join(dir, segmentUri(entry.msn))));
}

function asSegmentInfo(entries: RecordedSegment[]): SegmentInfo[] {
  let discontinuitySequence = 0;
  let start = 0;
  return entries.map((entry, position) => {
    // A gap in the numbering (a segment the disk dropped) also breaks continuity for the player.
    const gap = position > 0 && entry.msn !== entries[position - 1].msn + 1;
    const discontinuity = position > 0 && (entry.discontinuity || gap);
    if (discontinuity) discontinuitySequence++;
    const info: SegmentInfo = {
      msn: entry.msn,
      discontinuity,
      discontinuitySequence,
      initVersion: entry.initVersion,
      startSeconds: start,
      programDateTimeMs: entry.programDateTimeMs,
      durationSeconds: entry.durationSeconds,
      independent: true,
      parts: [],
    };
    start += entry.durationSeconds;
    return info;
  });
}

function variantOf(dir: string, index: number, entries: RecordedSegment[]): VariantStream {
  const variant: VariantStream = { index, bandwidth: 0 };
  const initFile = join(dir, initUri(entries[0].initVersion));
  if (existsSync(initFile)) {
    const init = new Fmp4StreamParser().push(readFileSync(initFile)).find((event) => event.type === 'init');
    if (init?.type === 'init') {
      variant.codecs = codecsOf(init.init);
      variant.width = primaryTrack(init.init).width;
      variant.height = primaryTrack(init.init).height;
    }
  }
  let bytes = 0;
  let seconds = 0;
  for (const entry of entries) {
    const size = statSync(join(dir, segmentUri(entry.msn))).size;
    bytes += size;
    seconds += entry.durationSeconds;
    if (entry.durationSeconds > 0) variant.bandwidth = Math.max(variant.bandwidth, (size * 8) / entry.durationSeconds);
  }
  variant.averageBandwidth = seconds > 0 ? Math.ceil((bytes * 8) / seconds) : undefined;
  variant.bandwidth = Math.ceil(variant.bandwidth);
  return variant;
}

export async function buildReplayPlaylists(sessionDir: string): Promise<ReplayPlaylists | undefined> {
  const renditions = existsSync(sessionDir)
    ? readdirSync(sessionDir).filter((name) => /^\d+$/.test(name)).map(Number).sort((a, b) => a - b)
    : [];
  const variants: VariantStream[] = [];
  let durationSeconds = 0;
  let segments = 0;
  for (const index of renditions) {
    const dir = join(sessionDir, String(index));
    const entries = readManifest(dir);
    if (entries.length === 0) continue;
    const listed = asSegmentInfo(entries);
    const longest = Math.max(...listed.map((segment) => segment.durationSeconds));
    await writeFile(join(dir, MEDIA_PLAYLIST_NAME), writeMediaPlaylist({
      lowLatency: false,
      targetDurationSeconds: Math.max(1, Math.round(longest)),
      partTargetSeconds: 0,
      partHoldBackSeconds: 0,
      holdBackSeconds: 0,
      segments: listed,
      openSegment: undefined,
      nextPartNumber: 0,
      ended: true,
    }));
    variants.push(variantOf(dir, index, entries));
    if (variants.length === 1) {
      durationSeconds = listed.reduce((total, segment) => total + segment.durationSeconds, 0);
      segments = listed.length;
    }
  }
  if (variants.length === 0) return undefined;
  await writeFile(join(sessionDir, MASTER_PLAYLIST_NAME), writeMasterPlaylist(variants));
  return { durationSeconds, renditions: variants.map((variant) => variant.index), segments };
}
