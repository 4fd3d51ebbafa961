// The chat's rules: who may join and post where, what is stored, and what everyone is told.
// Transport-free: the socket.io namespace and the REST routes both call it.
import { EventEmitter } from 'node:events';
import type pg from 'pg';
import type { Config, Logger } from '../config/index.ts';
import { chat, parseVideoRef, subscriptions, lives, videos, UserRole, type ChatRoomRow, type UserRow, type VideoRow } from '../db/index.ts';
import type { ChatBroadcast } from './broadcast.ts';
import type { ChatError, ChatHub, ChatHubEvents, ChatMessage, ChatRoomRef, ChatRoomSettings } from './contracts.ts';
import { FloodGuard } from './flood.ts';
import { TtlCache } from './ttl-cache.ts';
import { xmppParticipant, type Participant } from './participant.ts';
import { presentMessage, roomRefOf, settingsOf } from './present.ts';
import { cleanMessageText, forbiddenWordIn } from './text.ts';

/** Why a viewer may not see a video (core/media-access/access.ts decides; the chat only relays it). */
export interface ViewDenial {
  code: 'unauthorized' | 'forbidden' | 'video_requires_password' | 'incorrect_video_password' | 'not_found' | 'too_many_requests';
  message: string;
  retryAfterSeconds?: number;
}
/** Who asks to see a video: `client` keys the throttling of password guesses; `byNumericId` hides unlisted videos. */
export interface ChatViewer { user: UserRow | undefined; password: string | undefined; client?: string; byNumericId?: boolean }

export interface ChatServiceOptions {
  pool: pg.Pool;
  settings: Config['chat'];
  /** The MUC domain when the XMPP bridge runs, for the rooms' xmpp: addresses. */
  xmppMucDomain: string | undefined;
  canView(video: VideoRow, viewer: ChatViewer): Promise<ViewDenial | undefined>;
  log: Logger;
}

/** A participant's place in one room, decided when they join. */
export interface Membership {
  room: ChatRoomRef;
  channelId: number;
  /** The live video the participant joined through: messages are dated against its session. */
  videoId: number;
  moderator: boolean;
}

export interface RoomView {
  id: number;
  videoId: number;
  title: string;
  xmppAddress: string | null;
  settings: ChatRoomSettings;
}

export interface JoinGrant {
  membership: Membership;
  room: RoomView;
  me: { nick: string; color: string; moderator: boolean; canPost: boolean; reason?: string; code?: string; retryAfterSeconds?: number };
}

const CACHE_MS = 1000;
const ANNOUNCE_EVERY_MS = 60_000;
/** chat_messages.offset_ms is an int4. */
const MAX_OFFSET_MS = 2_147_483_647;
const REPLAY_PAGE = 5000;
const notFound = (message = 'No such live video'): ChatError => ({ code: 'not_found', message });
/** Only refusals carry a `code`: messages, grants, rooms and settings never do. */
export const isChatError = (value: unknown): value is ChatError =>
  typeof value === 'object' && value !== null && 'code' in value;

export class ChatService extends EventEmitter<ChatHubEvents> implements ChatHub {
  private readonly pool: pg.Pool;
  /** For the moderation actions (chat/moderation.ts), which share the service's rules and cache. */
  get database(): pg.Pool { return this.pool; }
  private readonly flood: FloodGuard;
  private readonly roomCache = new TtlCache<number, ChatRoomRow | undefined>(CACHE_MS);
  /** Joins come in storms (a live starts, a link is shared): the video behind a reference, its live and room. */
  private readonly videoCache = new TtlCache<string, VideoRow | undefined>(CACHE_MS);
  private liveRoomCache = new TtlCache<number, ChatRoomRow | ChatError>(CACHE_MS);
  /** The newcomer's history; also dropped at the room's next message, deletion or clearing. */
  private readonly historyCache = new TtlCache<number, ChatMessage[]>(CACHE_MS);
  private readonly announced = new Map<number, number>();
  private readonly sessionCache = new TtlCache<number, { id: number; started_at: Date } | undefined>(CACHE_MS);
  /** Set by the transport: delivers to sockets and other processes, then to this hub's listeners. */
  publish: (event: ChatBroadcast) => void = (event) => this.emitLocally(event);

  private readonly options: ChatServiceOptions;

  constructor(options: ChatServiceOptions) {
    super();
    this.options = options;
    this.pool = options.pool;
    this.flood = new FloodGuard(options.settings.floodMessages, options.settings.floodSeconds * 1000);
  }

  /** Hands an event (from this process or another) to this process's hub listeners (the XMPP bridge). */
  emitLocally(event: ChatBroadcast): void {
    if (event.type === 'settings') {
      this.roomCache.delete(event.room.id);
      // Keyed by video, and a channel room serves several videos: settings changes are rare, drop it all.
      this.liveRoomCache = new TtlCache(CACHE_MS);
    }
    if (event.type === 'message' || event.type === 'deleted' || event.type === 'cleared') this.historyCache.delete(event.room.id);
    if (event.type === 'message') this.emit('message', { room: event.room, message: event.message, bridgeId: event.bridgeId });
    else if (event.type === 'deleted') this.emit('deleted', { room: event.room, messageIds: event.messageIds, bridgeIds: event.bridgeIds });
    else if (event.type === 'cleared') this.emit('cleared', { room: event.room });
    else if (event.type === 'room-active') this.emit('room-active', event.room);
    else if (event.type === 'moderated') this.emit('moderated', { room: event.room, targetKeys: event.targetKeys });
  }

  /** The live video behind a reference, the viewer's right to see it, and its chat room. */
  async openRoom(videoRef: unknown, viewer: ChatViewer):
    Promise<{ video: VideoRow; room: ChatRoomRow; moderator: boolean } | ChatError> {
    const text = typeof videoRef === 'string' || typeof videoRef === 'number' ? String(videoRef) : '';
    const ref = parseVideoRef(text);
    const video = ref ? await this.videoCache.get(text, () => videos.findVideo(this.pool, ref)) : undefined;
    if (!video) return notFound();
    const denial = await this.options.canView(video, { ...viewer, byNumericId: ref !== undefined && 'id' in ref });
    if (denial) return { code: denial.code, message: denial.message, ...(denial.retryAfterSeconds ? { retryAfterSeconds: denial.retryAfterSeconds } : {}) };
    return this.roomOfVideo(video, viewer.user);
  }

  /** The chat room of a live video the viewer may see (checked by the caller). */
  async roomOfVideo(video: VideoRow, user: UserRow | undefined): Promise<{ video: VideoRow; room: ChatRoomRow; moderator: boolean } | ChatError> {
    if (!video.is_live) return notFound('This video is not a live: its chat, if it had one, is in its chat replay');
    const room = await this.liveRoomCache.get(video.id, () => this.loadLiveRoom(video));
    if (isChatError(room)) return room;
    return { video, room, moderator: await this.isModerator(user, video) };
  }

  /** The messages said during the live sessions a replay video records, in playback order, a page at a time. */
  async replay(videoId: number, range: { fromSeconds?: number; toSeconds?: number }): Promise<{ total: number; data: ChatMessage[] }> {
    const toMs = (seconds: number) => Math.min(MAX_OFFSET_MS, Math.round(seconds * 1000));
    const { total, rows } = await chat.replayMessages(this.pool, videoId, {
      fromMs: toMs(range.fromSeconds ?? 0), toMs: toMs(range.toSeconds ?? Infinity), limit: REPLAY_PAGE,
    });
    return { total, data: rows.map((row) => presentMessage(row)) };
  }

  async join(participant: Participant, videoRef: unknown, password: string | undefined): Promise<JoinGrant | ChatError> {
    const opened = await this.openRoom(videoRef, { user: participant.user, password, client: participant.ipHash ?? participant.key });
    if (isChatError(opened)) return opened;
    const { video, room, moderator } = opened;
    const membership: Membership = { room: roomRefOf(room), channelId: room.channel_id, videoId: video.id, moderator };
    const refusal = moderator ? undefined : await this.postingRefusal(participant, room);
    this.announceActive(membership.room);
    return {
      membership,
      room: this.viewOf(room, video.id),
      me: { nick: participant.nick, color: participant.color, moderator, canPost: !refusal, ...refusalFields(refusal) },
    };
  }

  viewOf(room: ChatRoomRow, videoId: number): RoomView {
    const ref = roomRefOf(room);
    const domain = this.options.xmppMucDomain;
    return {
      id: room.id, videoId, title: ref.title, settings: settingsOf(room),
      xmppAddress: domain && room.bridgeable ? `xmpp:${ref.xmppName}@${domain}?join` : null,
    };
  }

  async history(roomId: number): Promise<ChatMessage[]> {
    if (this.options.settings.historySize === 0) return [];
    return this.historyCache.get(roomId, async () =>
      (await chat.recentMessages(this.pool, roomId, this.options.settings.historySize)).map((row) => presentMessage(row)));
  }

  async post(participant: Participant, membership: Membership, rawText: unknown): Promise<ChatMessage | ChatError> {
    const cleaned = cleanMessageText(rawText, this.options.settings.maxMessageLength);
    if ('code' in cleaned) return cleaned;
    const room = await this.room(membership.room.id);
    if (!room) return notFound('This chat room is gone');
    if (!membership.moderator) {
      // The checks that need no database first.
      const refusal = wordRefusal(cleaned.text, room) ?? await this.postingRefusal(participant, room)
        ?? this.floodRefusal(`${membership.room.id}|${participant.rateKey}`) ?? await this.slowModeRefusal(slowModeAuthor(participant), room);
      if (refusal) return refusal;
    }
    const session = await this.openSession(membership.videoId);
    const row = await chat.insertMessage(this.pool, {
      roomId: room.id, videoId: membership.videoId, sessionId: session?.id ?? null,
      offsetMs: session ? Math.max(0, Date.now() - session.started_at.getTime()) : null,
      authorKey: participant.key, authorIpHash: participant.ipHash, accountId: participant.user?.account_id ?? null,
      nick: participant.nick, color: participant.color, moderator: membership.moderator, source: 'web', bridgeId: null, text: cleaned.text,
    });
    const message = presentMessage(row, participant.user?.username ?? null);
    this.publish({ type: 'message', room: membership.room, message, bridgeId: null });
    return message;
  }

  /** Bans, timeouts, and the room's mode (registered-only, followers-only, anonymous switched off). */
  private async postingRefusal(participant: Participant, room: ChatRoomRow): Promise<ChatError | undefined> {
    if (participant.anonymous && !this.options.settings.allowAnonymous) {
      return { code: 'anonymous_disabled', message: 'Log in to chat: this instance does not allow anonymous messages' };
    }
    if (participant.anonymous && room.mode !== 'open') {
      return { code: 'registered_only', message: 'Only registered users may chat in this room' };
    }
    if (room.mode === 'followers' && participant.user && participant.user.channel_id !== room.channel_id
      && !await subscriptions.isSubscribed(this.pool, participant.user.account_id, room.channel_id)) {
      return { code: 'followers_only', message: 'Only followers of this channel may chat in this room' };
    }
    return this.banRefusal(room.channel_id, participant.banKeys);
  }

  private async banRefusal(channelId: number, keys: string[]): Promise<ChatError | undefined> {
    const ban = await chat.activeBan(this.pool, channelId, keys);
    if (!ban) return undefined;
    if (ban.expires_at === null) return { code: 'banned', message: 'You are banned from this chat' };
    const seconds = Math.ceil((ban.expires_at.getTime() - Date.now()) / 1000);
    return { code: 'timed_out', message: `You are timed out for ${seconds} more seconds`, retryAfterSeconds: seconds };
  }

  private floodRefusal(key: string): ChatError | undefined {
    const waitMs = this.flood.take(key);
    if (waitMs === 0) return undefined;
    return { code: 'rate_limited', message: 'You are sending messages too fast', retryAfterSeconds: Math.ceil(waitMs / 1000) };
  }

  private async slowModeRefusal(author: { key: string } | { anonymousIpHash: string }, room: ChatRoomRow): Promise<ChatError | undefined> {
    if (room.slow_mode_seconds === 0) return undefined;
    const last = await chat.lastMessageAt(this.pool, room.id, author);
    const waitMs = last ? room.slow_mode_seconds * 1000 - (Date.now() - last.getTime()) : 0;
    if (waitMs <= 0) return undefined;
    return {
      code: 'slow_mode', retryAfterSeconds: Math.ceil(waitMs / 1000),
      message: `Slow mode: one message every ${room.slow_mode_seconds} s; wait ${Math.ceil(waitMs / 1000)} s`,
    };
  }

  /** Remembers the address an account chats from: a ban of the account covers it too (see addressKeysOf). */
  async noteConnection(participant: Participant): Promise<void> {
    if (participant.user && participant.ipHash) await chat.noteAccountAddress(this.pool, participant.user.account_id, participant.ipHash);
  }

  /** The `ip:` keys of the addresses an account chatted from lately (chat.accountBanAddressHours). */
  async addressKeysOf(accountId: number): Promise<string[]> {
    const { accountBanAddressHours: hours, accountBanMaxAddresses: limit } = this.options.settings;
    if (hours === 0) return [];
    const hashes = await chat.accountAddresses(this.pool, accountId, new Date(Date.now() - hours * 3600_000), limit);
    return hashes.map((hash) => `ip:${hash}`);
  }

  /** Instance admins and moderators, the video's owner, and the channel's chat moderators. */
  async isModerator(user: UserRow | undefined, video: { owner_user_id: number; channel_id: number }): Promise<boolean> {
    if (!user) return false;
    if (user.role === UserRole.ADMINISTRATOR || user.role === UserRole.MODERATOR || user.id === video.owner_user_id) return true;
    return chat.isChannelModerator(this.pool, video.channel_id, user.account_id);
  }

  room(id: number): Promise<ChatRoomRow | undefined> {
    return this.roomCache.get(id, () => chat.findRoom(this.pool, id));
  }

  private openSession(videoId: number): Promise<{ id: number; started_at: Date } | undefined> {
    return this.sessionCache.get(videoId, () => chat.openSessionOf(this.pool, videoId));
  }

  /** A live went on air or off: messages are dated against the new session, and the bridge joins its room. */
  async liveStateChanged(videoId: number, onAir: boolean): Promise<void> {
    this.sessionCache.delete(videoId);
    if (!onAir) return;
    const video = await videos.findVideo(this.pool, { id: videoId });
    const room = video && await this.loadLiveRoom(video);
    if (room && !isChatError(room)) this.announceActive(roomRefOf(room), true);
  }

  /** The room of a live: its own, or its channel's for a permanent live whose chat is per channel. */
  private async loadLiveRoom(video: VideoRow): Promise<ChatRoomRow | ChatError> {
    const live = await lives.findLiveByVideoId(this.pool, video.id);
    if (!live) return notFound();
    const perChannel = live.permanent_live && live.chat_room === 'channel';
    return chat.ensureRoom(this.pool, { videoId: video.id, channelId: video.channel_id, perChannel });
  }

  /** Tells every process's hub (the bridge's) that a room has an audience; once a minute per room is plenty. */
  private announceActive(room: ChatRoomRef, always = false): void {
    const last = this.announced.get(room.id) ?? 0;
    if (!always && Date.now() - last < ANNOUNCE_EVERY_MS) return;
    if (this.announced.size > 10_000) this.announced.clear();
    this.announced.set(room.id, Date.now());
    this.publish({ type: 'room-active', room });
  }

  // --- ChatHub: what the XMPP bridge calls -------------------------------------------------------

  async activeRooms(): Promise<ChatRoomRef[]> {
    return (await chat.onAirRooms(this.pool)).filter((room) => room.bridgeable).map(roomRefOf);
  }

  /** Only public and unlisted lives are mirrored: a MUC room cannot check who may see a live. */
  async mayBridge(roomId: number): Promise<boolean> {
    return (await this.room(roomId))?.bridgeable ?? false;
  }

  async messagesAfter(roomId: number, afterId: number, limit: number): Promise<ChatMessage[]> {
    if (!await this.mayBridge(roomId)) return [];
    return (await chat.webMessagesAfter(this.pool, roomId, afterId, limit)).map((row) => presentMessage(row));
  }

  /** Why an XMPP occupant may not post in a room (the bridge gives voice to the others). */
  async xmppRefusal(input: { roomId: number; nick: string; jid: string | null }): Promise<ChatError | undefined> {
    const room = await this.room(input.roomId);
    if (!room?.bridgeable) return notBridged;
    return this.postingRefusal(xmppParticipant(input.nick, input.jid), room);
  }

  async roomByXmppName(xmppName: string): Promise<ChatRoomRef | undefined> {
    const live = /^live-([0-9a-f-]{36})$/.exec(xmppName);
    const channel = /^channel-(.+)$/.exec(xmppName);
    const row = live ? await chat.findRoomByVideoUuid(this.pool, live[1])
      : channel ? await chat.findChannelRoomByName(this.pool, channel[1]) : undefined;
    return row ? roomRefOf(row) : undefined;
  }

  /**
   * A message an XMPP occupant said in the MUC. The same rules as on the web: an XMPP user counts as
   * an anonymous viewer (no local account), identified by their real JID when the MUC told the
   * bridge, else by their nick.
   */
  async postFromXmpp(input: { roomId: number; nick: string; jid?: string | null; text: string; bridgeId: string }): Promise<ChatMessage | ChatError> {
    const room = await this.room(input.roomId);
    if (!room) return notFound('No such chat room');
    if (!room.bridgeable) {
      // The live went private (or similar) since the bridge joined: this tells it to close the MUC room.
      this.publish({ type: 'room-active', room: roomRefOf(room) });
      return notBridged;
    }
    const cleaned = cleanMessageText(input.text, this.options.settings.maxMessageLength);
    if ('code' in cleaned) return cleaned;
    const author = xmppParticipant(input.nick, input.jid ?? null);
    const { key, nick } = author;
    const refusal = wordRefusal(cleaned.text, room) ?? await this.postingRefusal(author, room)
      ?? this.floodRefusal(`${room.id}|${author.rateKey}`) ?? await this.slowModeRefusal({ key }, room);
    if (refusal) return refusal;
    if (await chat.findMessageByBridgeId(this.pool, room.id, input.bridgeId)) return { code: 'invalid', message: 'Already relayed' };
    const videoId = room.video_id ?? await chat.onAirChannelVideo(this.pool, room.channel_id);
    const session = videoId ? await this.openSession(videoId) : undefined;
    const row = await chat.insertMessage(this.pool, {
      roomId: room.id, videoId: videoId ?? null, sessionId: session?.id ?? null,
      offsetMs: session ? Math.max(0, Date.now() - session.started_at.getTime()) : null,
      authorKey: key, authorIpHash: null, accountId: null, nick, color: author.color, moderator: false,
      source: 'xmpp', bridgeId: input.bridgeId, text: cleaned.text,
    });
    const message = presentMessage(row, null);
    this.publish({ type: 'message', room: roomRefOf(room), message, bridgeId: input.bridgeId });
    return message;
  }

  async retractFromXmpp(input: { roomId: number; bridgeId: string }): Promise<void> {
    const room = await this.room(input.roomId);
    const row = room && await chat.findMessageByBridgeId(this.pool, room.id, input.bridgeId);
    if (!room || !row) return;
    const hidden = await chat.hideMessages(this.pool, room.id, [Number(row.id)]);
    if (hidden.length > 0) this.publish({ type: 'deleted', room: roomRefOf(room), messageIds: hidden, bridgeIds: [input.bridgeId] });
  }

}

const notBridged: ChatError = { code: 'forbidden', message: 'This live\'s chat is not open to XMPP' };

/** Slow mode holds an anonymous viewer by address: a new anonId is a reconnection away. */
function slowModeAuthor(participant: Participant): { key: string } | { anonymousIpHash: string } {
  return participant.anonymous && participant.ipHash ? { anonymousIpHash: participant.ipHash } : { key: participant.key };
}

/** Why a newcomer cannot post, and for how long when it is a timeout. */
function refusalFields(refusal: ChatError | undefined) {
  if (!refusal) return {};
  return { reason: refusal.message, code: refusal.code, ...(refusal.retryAfterSeconds ? { retryAfterSeconds: refusal.retryAfterSeconds } : {}) };
}

function wordRefusal(text: string, room: ChatRoomRow): ChatError | undefined {
  return forbiddenWordIn(text, room.forbidden_words)
    ? { code: 'forbidden_word', message: 'Your message contains a word this room does not allow' } : undefined;
}
