// The names of a rendition's resources, relative to its media playlist, and their parser for the
// HTTP layer. Parts are numbered stream-wide rather than by segment: the next part's name is
// then known before we know whether a keyframe will make it open a new segment, so the
// EXT-X-PRELOAD-HINT we publish is always the part that comes next.

export const MEDIA_PLAYLIST_NAME = 'index.m3u8';
export const MASTER_PLAYLIST_NAME = 'master.m3u8';

export type MediaUri =
  | { kind: 'playlist' }
  | { kind: 'init'; version: number }
  | { kind: 'segment'; msn: number }
  | { kind: 'part'; number: number };

export function initUri(version: number): string { return `init-${version}.mp4`; }
export function segmentUri(msn: number): string { return `seg-${msn}.m4s`; }
export function partUri(partNumber: number): string { return `part-${partNumber}.m4s`; }

/** A rendition's media playlist, relative to the master playlist. */
export function variantUri(index: number): string { return `${index}/${MEDIA_PLAYLIST_NAME}`; }
/** A sibling's media playlist, relative to another rendition's media playlist. */
export function siblingPlaylistUri(index: number): string { return `../${variantUri(index)}`; }

// Canonical numbers only (no leading zeros, at most 15 digits): one name per resource keeps
// caches from holding the same bytes twice, and the bound keeps Number() exact.
const NUMBER = '(0|[1-9][0-9]{0,14})';
const PATTERNS: Array<[RegExp, (value: number) => MediaUri]> = [
  [new RegExp(`^init-${NUMBER}\\.mp4$`), (version) => ({ kind: 'init', version })],
  [new RegExp(`^seg-${NUMBER}\\.m4s$`), (msn) => ({ kind: 'segment', msn })],
  [new RegExp(`^part-${NUMBER}\\.m4s$`), (number) => ({ kind: 'part', number })],
];

/** What a file name inside a rendition's folder refers to; undefined for anything else. */
export function parseMediaUri(name: string): MediaUri | undefined {
  if (name === MEDIA_PLAYLIST_NAME) return { kind: 'playlist' };
  for (const [pattern, build] of PATTERNS) {
    const match = pattern.exec(name);
    if (match) return build(Number(match[1]));
  }
  return undefined;
}

/** video/mp4 for every fMP4 resource: what every player and CDN accepts. */
export const CONTENT_TYPES = {
  playlist: 'application/vnd.apple.mpegurl',
  init: 'video/mp4',
  segment: 'video/mp4',
  part: 'video/mp4',
} as const;
