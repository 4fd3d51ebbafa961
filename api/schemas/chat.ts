import Type, { type Static } from 'typebox';

const ChatMessageSchema = Type.Object({
  id: Type.Integer(),
  roomId: Type.Integer(),
  videoId: Type.Union([Type.Integer(), Type.Null()]),
  author: Type.Object({
    nick: Type.String(),
    color: Type.String(),
    account: Type.Union([Type.String(), Type.Null()]),
    anonymous: Type.Boolean(),
    source: Type.Union([Type.Literal('web'), Type.Literal('xmpp')]),
    moderator: Type.Boolean(),
  }),
  text: Type.String({ description: 'Plain text, never HTML' }),
  createdAt: Type.String(),
  offsetSeconds: Type.Union([Type.Number(), Type.Null()], { description: 'Seconds into the live session when said' }),
});

export const ChatRoomSettingsSchema = Type.Object({
  slowModeSeconds: Type.Integer({ minimum: 0, maximum: 86400 }),
  mode: Type.Union([Type.Literal('open'), Type.Literal('registered'), Type.Literal('followers')]),
  forbiddenWords: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 500 }),
});

export const ChatRoomSettingsUpdate = Type.Partial(ChatRoomSettingsSchema, { additionalProperties: false });

export const ChatRoomInfo = Type.Object({
  roomId: Type.Integer(),
  title: Type.String(),
  xmppAddress: Type.Union([Type.String(), Type.Null()]),
  settings: ChatRoomSettingsSchema,
  moderator: Type.Boolean({ description: 'Whether the caller moderates this room' }),
  history: Type.Array(ChatMessageSchema),
});

export const ChatReplayQuery = Type.Object({
  from: Type.Optional(Type.Number({ minimum: 0 })),
  to: Type.Optional(Type.Number({ minimum: 0 })),
});
export const ChatReplayList = Type.Object({ total: Type.Integer(), data: Type.Array(ChatMessageSchema) });

export const ModerationLogList = Type.Object({
  total: Type.Integer(),
  data: Type.Array(Type.Object({
    id: Type.Integer(), action: Type.String(), actor: Type.String(), target: Type.Union([Type.String(), Type.Null()]),
    details: Type.Record(Type.String(), Type.Unknown()), createdAt: Type.String(),
  })),
});

export const ChannelNameParam = Type.Object({ name: Type.String({ maxLength: 100 }) });
export const ChannelModeratorParams = Type.Object({ name: Type.String({ maxLength: 100 }), account: Type.String({ maxLength: 100 }) });
export const ChannelModeratorList = Type.Object({ data: Type.Array(Type.Object({ account: Type.String() })) });

/** PeerTube's subscription body: the channel's handle (`name` or `name@host`; only local channels for now). */
export const SubscriptionCreate = Type.Object({ uri: Type.String({ minLength: 1, maxLength: 300 }) }, { additionalProperties: false });
export const SubscriptionParams = Type.Object({ uri: Type.String({ maxLength: 300 }) });
export const SubscriptionList = Type.Object({
  total: Type.Integer(),
  data: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), displayName: Type.String(), createdAt: Type.String() })),
});

// The JSON shapes as the browser reads them: web/app/api.js imports these in its JSDoc types.
/** @public */
export type ChatMessageJson = Static<typeof ChatMessageSchema>;
/** @public */
export type ChatReplayListJson = Static<typeof ChatReplayList>;
/** @public */
export type ChatRoomInfoJson = Static<typeof ChatRoomInfo>;
/** @public */
export type ChatRoomSettingsJson = Static<typeof ChatRoomSettingsSchema>;
