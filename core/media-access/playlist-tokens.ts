// Re-injects a video file token into an HLS playlist, so that a player which got the master playlist
// with `?videoFileToken=T` asks every other file with it too (native HLS sends no custom headers).
// Every URI is tokenized: media lines (variant playlists, segments) and URI="…" attributes
// (EXT-X-MAP, EXT-X-PART, EXT-X-PRELOAD-HINT, EXT-X-RENDITION-REPORT, EXT-X-MEDIA, EXT-X-KEY).
// One regular-expression pass: live playlists are rewritten on every (blocking) reload.

const URIS = /URI="([^"]*)"|^([^#\s][^\r\n]*)/gm;

export const FILE_TOKEN_PARAM = 'videoFileToken';

export function addFileTokenToUri(uri: string, token: string): string {
  const hash = uri.indexOf('#');
  const [path, fragment] = hash === -1 ? [uri, ''] : [uri.slice(0, hash), uri.slice(hash)];
  const separator = !path.includes('?') ? '?' : path.endsWith('?') || path.endsWith('&') ? '' : '&';
  return `${path}${separator}${FILE_TOKEN_PARAM}=${encodeURIComponent(token)}${fragment}`;
}

export function addFileTokenToPlaylist(playlist: string, token: string): string {
  return playlist.replace(URIS, (_match, quoted: string | undefined, line: string | undefined) =>
    quoted !== undefined ? `URI="${addFileTokenToUri(quoted, token)}"` : addFileTokenToUri(line!, token));
}
