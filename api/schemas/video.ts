import Type, { type Static } from 'typebox';
import { IdLabel } from './common.ts';

const ActorSummary = Type.Object({ id: Type.Integer(), name: Type.String(), displayName: Type.String() });

const StreamingPlaylist = Type.Object({
  id: Type.Integer(),
  type: Type.Integer({ description: '1: HLS' }),
  playlistUrl: Type.String(),
  files: Type.Array(Type.Unknown()),
});

export const Video = Type.Object({
  id: Type.Integer(),
  uuid: Type.String(),
  shortUUID: Type.String(),
  name: Type.String(),
  description: Type.String(),
  isLive: Type.Boolean(),
  privacy: IdLabel,
  state: IdLabel,
  duration: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  publishedAt: Type.Union([Type.String(), Type.Null()]),
  channel: ActorSummary,
  account: ActorSummary,
  viewers: Type.Integer(),
  url: Type.String(),
  streamingPlaylists: Type.Array(StreamingPlaylist),
  thumbnailPath: Type.Union([Type.String(), Type.Null()]),
  /** Uploads: transcoding percent (0–100) while the state is 2 (to transcode), 100 once done. */
  processingProgress: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  /** Uploads: why processing failed (state 7, transcoding failed), or why the last replacement of the source failed (state unchanged). */
  error: Type.Optional(Type.String()),
  /** Views counted by POST /videos/{id}/views (one per IP and video every few minutes). */
  views: Type.Integer(),
  /** When the source was last re-uploaded (PeerTube's field); null if never. */
  inputFileUpdatedAt: Type.Union([Type.String(), Type.Null()]),
});
export type VideoJson = Static<typeof Video>;

export const VideoList = Type.Object({ total: Type.Integer(), data: Type.Array(Video) });

export const VideoListQuery = Type.Object({
  start: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  count: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 15 })),
  isLive: Type.Optional(Type.Boolean()),
  sort: Type.Optional(Type.Union([
    Type.Literal('createdAt'), Type.Literal('-createdAt'), Type.Literal('publishedAt'), Type.Literal('-publishedAt'),
  ], { default: '-publishedAt' })),
  state: Type.Optional(Type.Integer({ description: 'Only videos in this state (1 published, 4 waiting for live, 5 live ended)' })),
});

export const VideoUpdate = Type.Object({
  name: Type.Optional(Type.String({ minLength: 3, maxLength: 120 })),
  description: Type.Optional(Type.String({ maxLength: 10000 })),
  privacy: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
  videoPasswords: Type.Optional(Type.Array(Type.String({ minLength: 2, maxLength: 100 }), { maxItems: 100, description: 'Replaces the passwords (privacy 5)' })),
}, { additionalProperties: false });

// The JSON shapes as the browser reads them: web/app/api.js imports these in its JSDoc types.
/** @public */
export type VideoListJson = Static<typeof VideoList>;
/** @public */
export type VideoUpdateBody = Static<typeof VideoUpdate>;
