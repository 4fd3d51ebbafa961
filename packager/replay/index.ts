export { buildReplayPlaylists, type ReplayPlaylists } from './vod-playlists.ts';
export { makeReplayThumbnail } from './thumbnail.ts';
