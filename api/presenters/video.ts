import { toShortUuid, VIDEO_PRIVACY_LABELS, VIDEO_STATE_LABELS, type VideoRow } from '../../db/index.ts';
import type { AppContext } from '../context.ts';
import type { VideoJson } from '../schemas/video.ts';
import { masterPlaylistUrl } from '../../core/live/live-session.ts';

export function presentVideo(context: AppContext, row: VideoRow): VideoJson {
  const session = row.is_live ? context.lives.activeSessionOfVideo(row.id) : undefined;
  const playlists = session?.playable
    ? [{ id: session.sessionId, type: 1, playlistUrl: masterPlaylistUrl(session), files: [] }]
    : !row.is_live && row.hls_path
      ? [{ id: row.id, type: 1, playlistUrl: masterPlaylistUrl({ mediaPath: row.hls_path }), files: [] }]
      : [];
  return {
    id: row.id,
    uuid: row.uuid,
    shortUUID: toShortUuid(row.uuid),
    name: row.name,
    description: row.description,
    isLive: row.is_live,
    privacy: { id: row.privacy, label: VIDEO_PRIVACY_LABELS[row.privacy] ?? 'Unknown' },
    state: { id: row.state, label: VIDEO_STATE_LABELS[row.state] ?? 'Unknown' },
    duration: row.duration,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    publishedAt: row.published_at?.toISOString() ?? null,
    channel: { id: row.channel_id, name: row.channel_name, displayName: row.channel_display_name },
    account: { id: row.account_id, name: row.account_name, displayName: row.account_display_name },
    viewers: row.is_live ? context.viewersOf(row.id) : 0,
    url: `/w/${toShortUuid(row.uuid)}`,
    streamingPlaylists: playlists,
    thumbnailPath: row.thumbnail_path,
    ...(row.processing_progress !== null && row.processing_progress !== undefined ? { processingProgress: row.processing_progress } : {}),
    ...(row.processing_error ? { error: row.processing_error } : {}),
    views: row.views ?? 0,
    inputFileUpdatedAt: row.input_file_updated_at?.toISOString() ?? null,
  };
}
