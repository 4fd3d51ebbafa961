// Database rows to the shapes clients and the bridge see (chat/contracts.ts).
import type { ChatMessageRow, ChatRoomRow } from '../db/index.ts';
import type { ChatMessage, ChatRoomRef, ChatRoomSettings } from './contracts.ts';

export function presentMessage(row: ChatMessageRow, accountName: string | null = row.account_name): ChatMessage {
  return {
    id: Number(row.id),
    roomId: row.room_id,
    videoId: row.video_id,
    author: {
      nick: row.nick,
      color: row.color,
      account: accountName,
      anonymous: row.author_key.startsWith('n:') || row.author_key.startsWith('s:'),
      source: row.source,
      moderator: row.moderator,
    },
    text: row.text,
    createdAt: row.created_at.toISOString(),
    offsetSeconds: row.offset_ms === null ? null : row.offset_ms / 1000,
  };
}

export function roomRefOf(room: ChatRoomRow): ChatRoomRef {
  return room.per_channel
    ? { id: room.id, xmppName: `channel-${room.channel_name.toLowerCase()}`, title: room.channel_name }
    : { id: room.id, xmppName: `live-${room.video_uuid}`, title: room.video_name ?? `live ${room.video_uuid}` };
}

export function settingsOf(room: ChatRoomRow): ChatRoomSettings {
  return { slowModeSeconds: room.slow_mode_seconds, mode: room.mode, forbiddenWords: room.forbidden_words };
}
