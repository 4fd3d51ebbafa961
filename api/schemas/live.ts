import Type, { type Static } from 'typebox';

const Privacy = Type.Integer({ minimum: 1, maximum: 5, description: '1 public, 2 unlisted, 3 private, 4 internal, 5 password' });
const ReplaySettings = Type.Object({ privacy: Privacy });
const LatencyMode = Type.Integer({ minimum: 1, maximum: 3, description: '1 default, 2 high latency, 3 small latency' });
const ChatRoom = Type.Union([Type.Literal('video'), Type.Literal('channel')], {
  description: "The live's chat room: its own, or (permanent lives only) the channel's, shared by all its lives",
});

export const LiveCreate = Type.Object({
  channelId: Type.Integer({ minimum: 1 }),
  name: Type.String({ minLength: 3, maxLength: 120 }),
  description: Type.Optional(Type.String({ maxLength: 10000 })),
  privacy: Type.Optional(Privacy),
  saveReplay: Type.Optional(Type.Boolean()),
  replaySettings: Type.Optional(ReplaySettings),
  permanentLive: Type.Optional(Type.Boolean()),
  latencyMode: Type.Optional(LatencyMode),
  chatRoom: Type.Optional(ChatRoom),
  videoPasswords: Type.Optional(Type.Array(Type.String({ minLength: 2, maxLength: 100 }), {
    maxItems: 100, description: 'Needed when privacy or replaySettings.privacy is 5 (password protected)',
  })),
});

export const LiveUpdate = Type.Object({
  saveReplay: Type.Optional(Type.Boolean()),
  replaySettings: Type.Optional(Type.Union([ReplaySettings, Type.Null()])),
  permanentLive: Type.Optional(Type.Boolean()),
  latencyMode: Type.Optional(LatencyMode),
  chatRoom: Type.Optional(ChatRoom),
}, { additionalProperties: false });

export const LiveCreated = Type.Object({
  video: Type.Object({ id: Type.Integer(), uuid: Type.String(), shortUUID: Type.String() }),
});

export const LiveVideo = Type.Object({
  rtmpUrl: Type.Optional(Type.String({ description: 'Only for the owner and admins' })),
  rtmpsUrl: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  whipUrl: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'WHIP endpoint (bearer token: the stream key); only for the owner and admins, null when WebRTC is off' })),
  srtUrl: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'srt://host:port?streamid=<stream key>; only for the owner and admins, null when SRT is off' })),
  streamKey: Type.Optional(Type.String({ description: 'Only for the owner and admins' })),
  saveReplay: Type.Boolean(),
  replaySettings: Type.Union([ReplaySettings, Type.Null()]),
  permanentLive: Type.Boolean(),
  latencyMode: LatencyMode,
  chatRoom: ChatRoom,
});

export const LiveSessionList = Type.Object({
  total: Type.Integer(),
  data: Type.Array(Type.Object({
    id: Type.Integer(),
    startDate: Type.String(),
    endDate: Type.Union([Type.String(), Type.Null()]),
    error: Type.Union([Type.Integer(), Type.Null()]),
    encoder: Type.Union([Type.String(), Type.Null()]),
    protocol: Type.String({ description: 'How the publisher connected: rtmp, rtmps, srt or whip' }),
    renditions: Type.Array(Type.Integer()),
    replayVideo: Type.Union([Type.Object({ id: Type.Integer(), uuid: Type.String(), shortUUID: Type.String() }), Type.Null()]),
  })),
});

/** POST /videos/live/{id}/stream-key: the new key (the old one no longer admits publishers). */
export const StreamKeyRenewed = Type.Object({ streamKey: Type.String({ description: 'The new stream key' }) });

// The JSON shapes as the browser reads them: web/app/api.js imports these in its JSDoc types.
/** @public */
export type LiveJson = Static<typeof LiveVideo>;
/** @public */
export type LiveCreatedJson = Static<typeof LiveCreated>;
/** @public */
export type LiveSessionListJson = Static<typeof LiveSessionList>;
/** @public */
export type LiveCreateBody = Static<typeof LiveCreate>;
/** @public */
export type LiveUpdateBody = Static<typeof LiveUpdate>;
/** @public */
export type StreamKeyRenewedJson = Static<typeof StreamKeyRenewed>;
