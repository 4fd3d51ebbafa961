// The shapes the chat shares with its neighbours: the web client (over socket.io, see
// docs/CHAT.md), the XMPP bridge, and the api/ routes. Types only, so every side can import it.
import type { EventEmitter } from 'node:events';

/** Where a message came from: the web chat (socket.io) or the bridged XMPP room. */
export type ChatSource = 'web' | 'xmpp';

export interface ChatAuthor {
  /** Shown name: the account name, a generated nick for anonymous viewers, the XMPP nick. */
  nick: string;
  /** A stable CSS colour derived from the identity, e.g. "hsl(210 70% 45%)". */
  color: string;
  /** The local account name; null for anonymous viewers and XMPP users. */
  account: string | null;
  anonymous: boolean;
  source: ChatSource;
  /** True for the live's owner, the channel's chat moderators and admins. */
  moderator: boolean;
}

export interface ChatMessage {
  id: number;
  roomId: number;
  /** The video being live when the message was said (null in a waiting room). */
  videoId: number | null;
  author: ChatAuthor;
  /** Plain text, never HTML: clients insert it as text. */
  text: string;
  createdAt: string;
  /** Seconds into the live session when said; null outside a session. Drives the chat replay. */
  offsetSeconds: number | null;
}

/** A room as the bridge needs it. */
export interface ChatRoomRef {
  id: number;
  /** The MUC room's local part, e.g. "live-<video uuid>" or "channel-<channel name>". */
  xmppName: string;
  /** Human title (the live's or channel's name), for the MUC subject. */
  title: string;
}

export interface ChatRoomSettings {
  /** Seconds between two messages of one author; 0 off. Moderators are exempt. */
  slowModeSeconds: number;
  /** Who may post: everyone (anonymous too when the instance allows it), registered accounts, followers of the channel. */
  mode: 'open' | 'registered' | 'followers';
  /** Messages containing one of these (case-insensitive, whole words) are refused. */
  forbiddenWords: string[];
}

/** The reasons a message or action is refused; sent to the client in `{ ok: false, error }` acks. */
export type ChatErrorCode =
  | 'not_found' | 'forbidden' | 'unauthorized' | 'video_requires_password' | 'incorrect_video_password' | 'too_many_requests'
  | 'not_joined' | 'empty' | 'too_long' | 'rate_limited' | 'slow_mode' | 'banned' | 'timed_out'
  | 'forbidden_word' | 'registered_only' | 'followers_only' | 'anonymous_disabled' | 'invalid';

export interface ChatError { code: ChatErrorCode; message: string; retryAfterSeconds?: number }

export interface ChatDeletion { room: ChatRoomRef; messageIds: number[]; bridgeIds: string[] }

/** Events every server process sees, whichever process the action happened on. */
export interface ChatHubEvents {
  /** A stored message; `bridgeId` is set for messages that came from XMPP (their stanza/origin id). */
  message: [{ room: ChatRoomRef; message: ChatMessage; bridgeId: string | null }];
  deleted: [ChatDeletion];
  cleared: [{ room: ChatRoomRef }];
  /** A room has a web audience or a running live: the bridge should be in its MUC room. */
  'room-active': [ChatRoomRef];
  /** A ban or timeout of these identity keys (the bridge takes voice from the XMPP occupants concerned). */
  moderated: [{ room: ChatRoomRef; targetKeys: string[] }];
}

/** What the XMPP bridge calls; implemented by the chat service. */
export interface ChatHub extends EventEmitter<ChatHubEvents> {
  /** Rooms whose live is on air now (the bridge joins them at start and after reconnecting). */
  activeRooms(): Promise<ChatRoomRef[]>;
  /** Web messages of a room stored after `afterId` (catch-up after the XMPP server came back). */
  messagesAfter(roomId: number, afterId: number, limit: number): Promise<ChatMessage[]>;
  /** The room whose MUC local part is `xmppName`, if any. */
  roomByXmppName(xmppName: string): Promise<ChatRoomRef | undefined>;
  /**
   * A message said in the MUC room by an XMPP user (`jid`: their real JID when the MUC showed it):
   * stored and shown on the web if the chat's rules allow. Refusals come back as a ChatError.
   */
  postFromXmpp(input: { roomId: number; nick: string; jid?: string | null; text: string; bridgeId: string }): Promise<ChatMessage | ChatError>;
  /** Only public and unlisted lives are mirrored to XMPP; the bridge closes the MUC room of any other. */
  mayBridge(roomId: number): Promise<boolean>;
  /** Why an XMPP occupant may not post in a room (then the bridge gives them no voice). */
  xmppRefusal(input: { roomId: number; nick: string; jid: string | null }): Promise<ChatError | undefined>;
  /** An XMPP user retracted their message (XEP-0424). */
  retractFromXmpp(input: { roomId: number; bridgeId: string }): Promise<void>;
}
