// What the chat tells every server process and every client: produced by the service, delivered
// by the socket.io namespace (to sockets through the adapter, to the other processes' hubs through
// serverSideEmit).
import type { ChatMessage, ChatRoomRef, ChatRoomSettings } from './contracts.ts';

export type ChatBroadcast =
  | { type: 'message'; room: ChatRoomRef; message: ChatMessage; bridgeId: string | null }
  | { type: 'deleted'; room: ChatRoomRef; messageIds: number[]; bridgeIds: string[] }
  | { type: 'cleared'; room: ChatRoomRef }
  /** For the hubs only (the bridge joins the room's MUC); no socket hears it. */
  | { type: 'room-active'; room: ChatRoomRef }
  | { type: 'settings'; room: ChatRoomRef; settings: ChatRoomSettings }
  | { type: 'moderated'; room: ChatRoomRef; targetKeys: string[]; action: 'timeout' | 'ban'; until: string | null; reason: string };
