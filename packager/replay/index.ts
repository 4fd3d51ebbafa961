export { buildReplayPlaylists,  } from './vod-playlists.ts';
export { makeReplayThumbnail } from './thumbnail.ts';
