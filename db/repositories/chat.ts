import type pg from 'pg';

export interface ChatRoomRow {
  id: number;
  video_id: number | null;
  channel_id: number;
  per_channel: boolean;
  slow_mode_seconds: number;
  mode: 'open' | 'registered' | 'followers';
  forbidden_words: string[];
  /** Joined: the room's title and MUC name parts. */
  channel_name: string;
  video_uuid: string | null;
  video_name: string | null;
  /**
   * Whether the room may be mirrored to XMPP: its live is public or unlisted; for a channel's room,
   * every live that shares it is (an XMPP room cannot check who may see which live).
   */
  bridgeable: boolean;
}

const SELECT_ROOM = `
  SELECT r.*, c.name AS channel_name, v.uuid AS video_uuid, v.name AS video_name,
    CASE WHEN r.per_channel THEN NOT EXISTS (
      SELECT 1 FROM lives cl JOIN videos cv ON cv.id = cl.video_id
      WHERE cv.channel_id = r.channel_id AND cl.chat_room = 'channel' AND cv.privacy NOT IN (1, 2))
    ELSE coalesce(v.privacy IN (1, 2), false) END AS bridgeable
  FROM chat_rooms r JOIN channels c ON c.id = r.channel_id LEFT JOIN videos v ON v.id = r.video_id`;

/** The room of a video, or of its channel when `perChannel`; created on first use. */
export async function ensureRoom(pool: pg.Pool, target: { videoId: number; channelId: number; perChannel: boolean }): Promise<ChatRoomRow> {
  const existing = await findRoomFor(pool, target);
  if (existing) return existing;
  await pool.query(
    `INSERT INTO chat_rooms (video_id, channel_id, per_channel) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [target.perChannel ? null : target.videoId, target.channelId, target.perChannel]);
  return (await findRoomFor(pool, target))!;
}

async function findRoomFor(pool: pg.Pool, target: { videoId: number; channelId: number; perChannel: boolean }): Promise<ChatRoomRow | undefined> {
  const { rows } = target.perChannel
    ? await pool.query<ChatRoomRow>(`${SELECT_ROOM} WHERE r.channel_id = $1 AND r.per_channel`, [target.channelId])
    : await pool.query<ChatRoomRow>(`${SELECT_ROOM} WHERE r.video_id = $1`, [target.videoId]);
  return rows[0];
}

export async function findRoom(pool: pg.Pool, id: number): Promise<ChatRoomRow | undefined> {
  const { rows } = await pool.query<ChatRoomRow>(`${SELECT_ROOM} WHERE r.id = $1`, [id]);
  return rows[0];
}

export async function findRoomByVideoUuid(pool: pg.Pool, uuid: string): Promise<ChatRoomRow | undefined> {
  const { rows } = await pool.query<ChatRoomRow>(`${SELECT_ROOM} WHERE v.uuid = $1`, [uuid]);
  return rows[0];
}

export async function findChannelRoomByName(pool: pg.Pool, channelName: string): Promise<ChatRoomRow | undefined> {
  const { rows } = await pool.query<ChatRoomRow>(`${SELECT_ROOM} WHERE r.per_channel AND c.name = $1`, [channelName]);
  return rows[0];
}

export interface RoomSettingsUpdate { slowModeSeconds?: number; mode?: string; forbiddenWords?: string[] }

export async function updateRoomSettings(pool: pg.Pool, id: number, update: RoomSettingsUpdate): Promise<void> {
  await pool.query(
    `UPDATE chat_rooms SET slow_mode_seconds = coalesce($2, slow_mode_seconds), mode = coalesce($3, mode),
       forbidden_words = coalesce($4, forbidden_words) WHERE id = $1`,
    [id, update.slowModeSeconds ?? null, update.mode ?? null, update.forbiddenWords ?? null]);
}

export interface ChatMessageRow {
  id: string;
  room_id: number;
  video_id: number | null;
  session_id: number | null;
  offset_ms: number | null;
  author_key: string;
  account_id: number | null;
  account_name: string | null;
  nick: string;
  color: string;
  moderator: boolean;
  source: 'web' | 'xmpp';
  bridge_id: string | null;
  text: string;
  created_at: Date;
}

const SELECT_MESSAGE = `
  SELECT m.id, m.room_id, m.video_id, m.session_id, m.offset_ms, m.author_key, m.account_id, a.name AS account_name,
         m.nick, m.color, m.moderator, m.source, m.bridge_id, m.text, m.created_at
  FROM chat_messages m LEFT JOIN accounts a ON a.id = m.account_id`;

export interface NewChatMessage {
  roomId: number; videoId: number | null; sessionId: number | null; offsetMs: number | null;
  authorKey: string; authorIpHash: string | null; accountId: number | null; nick: string; color: string;
  moderator: boolean; source: 'web' | 'xmpp'; bridgeId: string | null; text: string;
}

export async function insertMessage(pool: pg.Pool, message: NewChatMessage): Promise<ChatMessageRow> {
  const { rows: [inserted] } = await pool.query<{ id: string; created_at: Date }>(
    `INSERT INTO chat_messages (room_id, video_id, session_id, offset_ms, author_key, author_ip_hash, account_id, nick, color,
       moderator, source, bridge_id, text)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id, created_at`,
    [message.roomId, message.videoId, message.sessionId, message.offsetMs, message.authorKey, message.authorIpHash,
      message.accountId, message.nick, message.color, message.moderator, message.source, message.bridgeId, message.text]);
  return {
    id: inserted.id, room_id: message.roomId, video_id: message.videoId, session_id: message.sessionId,
    offset_ms: message.offsetMs, author_key: message.authorKey, account_id: message.accountId, account_name: null,
    nick: message.nick, color: message.color, moderator: message.moderator, source: message.source,
    bridge_id: message.bridgeId, text: message.text, created_at: inserted.created_at,
  };
}

/** The last `limit` visible messages of a room, oldest first. */
export async function recentMessages(pool: pg.Pool, roomId: number, limit: number): Promise<ChatMessageRow[]> {
  const { rows } = await pool.query<ChatMessageRow>(
    `${SELECT_MESSAGE} WHERE m.room_id = $1 AND m.deleted_at IS NULL ORDER BY m.id DESC LIMIT $2`, [roomId, limit]);
  return rows.reverse();
}

/** Web messages (not those relayed from XMPP) after `afterId`: what the XMPP bridge still owes a room. */
export async function webMessagesAfter(pool: pg.Pool, roomId: number, afterId: number, limit: number): Promise<ChatMessageRow[]> {
  const { rows } = await pool.query<ChatMessageRow>(
    `${SELECT_MESSAGE} WHERE m.room_id = $1 AND m.id > $2 AND m.deleted_at IS NULL AND m.source = 'web' ORDER BY m.id LIMIT $3`,
    [roomId, afterId, limit]);
  return rows;
}

export async function findMessage(pool: pg.Pool, roomId: number, id: number): Promise<(ChatMessageRow & { author_ip_hash: string | null; deleted_at: Date | null }) | undefined> {
  const { rows } = await pool.query<ChatMessageRow & { author_ip_hash: string | null; deleted_at: Date | null }>(
    `SELECT m.*, a.name AS account_name FROM chat_messages m LEFT JOIN accounts a ON a.id = m.account_id
     WHERE m.room_id = $1 AND m.id = $2`, [roomId, id]);
  return rows[0];
}

export async function findMessageByBridgeId(pool: pg.Pool, roomId: number, bridgeId: string): Promise<ChatMessageRow | undefined> {
  const { rows } = await pool.query<ChatMessageRow>(`${SELECT_MESSAGE} WHERE m.room_id = $1 AND m.bridge_id = $2`, [roomId, bridgeId]);
  return rows[0];
}

/** Hides messages; returns the ids that were visible. */
export async function hideMessages(pool: pg.Pool, roomId: number, ids: number[]): Promise<number[]> {
  const { rows } = await pool.query<{ id: string }>(
    'UPDATE chat_messages SET deleted_at = now() WHERE room_id = $1 AND id = ANY($2) AND deleted_at IS NULL RETURNING id', [roomId, ids]);
  return rows.map((row) => Number(row.id));
}

export async function hideAllMessages(pool: pg.Pool, roomId: number): Promise<number> {
  const { rowCount } = await pool.query('UPDATE chat_messages SET deleted_at = now() WHERE room_id = $1 AND deleted_at IS NULL', [roomId]);
  return rowCount ?? 0;
}

/**
 * When this author last posted in the room (slow mode): an identity by its key, or the anonymous
 * viewers of one address by its hash (whatever anonId they used).
 */
export async function lastMessageAt(pool: pg.Pool, roomId: number, author: { key: string } | { anonymousIpHash: string }): Promise<Date | undefined> {
  const { rows } = 'key' in author
    ? await pool.query<{ created_at: Date }>(
      'SELECT created_at FROM chat_messages WHERE room_id = $1 AND author_key = $2 ORDER BY id DESC LIMIT 1', [roomId, author.key])
    : await pool.query<{ created_at: Date }>(
      `SELECT created_at FROM chat_messages WHERE room_id = $1 AND author_ip_hash = $2 AND account_id IS NULL
       ORDER BY id DESC LIMIT 1`, [roomId, author.anonymousIpHash]);
  return rows[0]?.created_at;
}

/** Notes that an account chatted from this address (an account ban covers it). */
export async function noteAccountAddress(pool: pg.Pool, accountId: number, ipHash: string): Promise<void> {
  await pool.query(
    `INSERT INTO chat_account_addresses (account_id, ip_hash) VALUES ($1, $2)
     ON CONFLICT (account_id, ip_hash) DO UPDATE SET last_seen = now()`, [accountId, ipHash]);
}

/** The addresses an account chatted from since `since`, the most recent first. */
export async function accountAddresses(pool: pg.Pool, accountId: number, since: Date, limit: number): Promise<string[]> {
  const { rows } = await pool.query<{ ip_hash: string }>(
    `SELECT ip_hash FROM chat_account_addresses WHERE account_id = $1 AND last_seen >= $2 ORDER BY last_seen DESC LIMIT $3`,
    [accountId, since, limit]);
  return rows.map((row) => row.ip_hash);
}

/** The visible messages said during the live sessions a replay video records, by offset; `total` counts past the page. */
export async function replayMessages(pool: pg.Pool, videoId: number, range: { fromMs: number; toMs: number; limit: number }):
  Promise<{ total: number; rows: ChatMessageRow[] }> {
  const { rows } = await pool.query<ChatMessageRow & { total: string }>(
    `${SELECT_MESSAGE.replace('SELECT m.id', 'SELECT count(*) OVER () AS total, m.id')} JOIN live_sessions s ON s.id = m.session_id
     WHERE s.replay_video_id = $1 AND m.deleted_at IS NULL AND m.offset_ms BETWEEN $2 AND $3
     ORDER BY m.offset_ms, m.id LIMIT $4`, [videoId, range.fromMs, range.toMs, range.limit]);
  return { total: Number(rows[0]?.total ?? 0), rows };
}

export interface ChatBanRow { id: number; expires_at: Date | null; reason: string }

export async function insertBan(pool: pg.Pool, ban: {
  channelId: number; targetKeys: string[]; targetLabel: string; expiresAt: Date | null; reason: string; createdBy: number | null;
}): Promise<void> {
  await pool.query(
    `INSERT INTO chat_bans (channel_id, target_keys, target_label, expires_at, reason, created_by) VALUES ($1, $2, $3, $4, $5, $6)`,
    [ban.channelId, ban.targetKeys, ban.targetLabel, ban.expiresAt, ban.reason, ban.createdBy]);
}

/** The strongest ban or timeout in force for any of these keys: a ban first, else the latest timeout. */
export async function activeBan(pool: pg.Pool, channelId: number, keys: string[]): Promise<ChatBanRow | undefined> {
  const { rows } = await pool.query<ChatBanRow>(
    `SELECT id, expires_at, reason FROM chat_bans
     WHERE channel_id = $1 AND lifted_at IS NULL AND target_keys && $2 AND (expires_at IS NULL OR expires_at > now())
     ORDER BY expires_at DESC NULLS FIRST LIMIT 1`, [channelId, keys]);
  return rows[0];
}

export async function liftBans(pool: pg.Pool, channelId: number, keys: string[]): Promise<number> {
  const { rowCount } = await pool.query(
    'UPDATE chat_bans SET lifted_at = now() WHERE channel_id = $1 AND lifted_at IS NULL AND target_keys && $2', [channelId, keys]);
  return rowCount ?? 0;
}

export async function logModeration(pool: pg.Pool, entry: {
  roomId: number; actorAccountId: number | null; actor: string; action: string; target: string | null; details: Record<string, unknown>;
}): Promise<void> {
  await pool.query(
    'INSERT INTO chat_moderation_log (room_id, actor_account_id, actor, action, target, details) VALUES ($1, $2, $3, $4, $5, $6)',
    [entry.roomId, entry.actorAccountId, entry.actor, entry.action, entry.target, JSON.stringify(entry.details)]);
}

export interface ModerationLogRow { id: number; actor: string; action: string; target: string | null; details: Record<string, unknown>; created_at: Date }

export async function listModerationLog(pool: pg.Pool, roomId: number, page: { start: number; count: number }): Promise<{ total: number; rows: ModerationLogRow[] }> {
  const { rows } = await pool.query<ModerationLogRow & { total: string }>(
    `SELECT id, actor, action, target, details, created_at, count(*) OVER () AS total FROM chat_moderation_log
     WHERE room_id = $1 ORDER BY id DESC OFFSET $2 LIMIT $3`, [roomId, page.start, page.count]);
  return { total: Number(rows[0]?.total ?? 0), rows };
}

export async function isChannelModerator(pool: pg.Pool, channelId: number, accountId: number): Promise<boolean> {
  const { rowCount } = await pool.query('SELECT 1 FROM channel_chat_moderators WHERE channel_id = $1 AND account_id = $2', [channelId, accountId]);
  return (rowCount ?? 0) > 0;
}

export async function listChannelModerators(pool: pg.Pool, channelId: number): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT a.name FROM channel_chat_moderators m JOIN accounts a ON a.id = m.account_id WHERE m.channel_id = $1 ORDER BY a.name`, [channelId]);
  return rows.map((row) => row.name);
}

export async function addChannelModerator(pool: pg.Pool, channelId: number, accountId: number): Promise<void> {
  await pool.query('INSERT INTO channel_chat_moderators (channel_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [channelId, accountId]);
}

export async function removeChannelModerator(pool: pg.Pool, channelId: number, accountId: number): Promise<void> {
  await pool.query('DELETE FROM channel_chat_moderators WHERE channel_id = $1 AND account_id = $2', [channelId, accountId]);
}

/** The live session of a video on air now, if any. */
export async function openSessionOf(pool: pg.Pool, videoId: number): Promise<{ id: number; started_at: Date } | undefined> {
  const { rows } = await pool.query<{ id: number; started_at: Date }>(
    `SELECT s.id, s.started_at FROM live_sessions s JOIN lives l ON l.id = s.live_id
     WHERE l.video_id = $1 AND s.ended_at IS NULL ORDER BY s.started_at DESC LIMIT 1`, [videoId]);
  return rows[0];
}

/** Rooms of the lives on air now (video state PUBLISHED). */
export async function onAirRooms(pool: pg.Pool): Promise<ChatRoomRow[]> {
  const { rows } = await pool.query<ChatRoomRow>(
    `${SELECT_ROOM} WHERE EXISTS (
       SELECT 1 FROM lives l JOIN videos lv ON lv.id = l.video_id
       WHERE lv.is_live AND lv.state = 1 AND ((NOT r.per_channel AND l.video_id = r.video_id)
         OR (r.per_channel AND l.chat_room = 'channel' AND lv.channel_id = r.channel_id)))`);
  return rows;
}

/** The live on air now in a channel whose chat is per channel (an XMPP message is dated against it). */
export async function onAirChannelVideo(pool: pg.Pool, channelId: number): Promise<number | undefined> {
  const { rows } = await pool.query<{ id: number }>(
    `SELECT v.id FROM videos v JOIN lives l ON l.video_id = v.id
     WHERE v.channel_id = $1 AND v.is_live AND v.state = 1 AND l.chat_room = 'channel' ORDER BY v.id DESC LIMIT 1`, [channelId]);
  return rows[0]?.id;
}
