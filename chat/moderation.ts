// What moderators (the live's owner, the channel's chat moderators, instance admins and
// moderators) can do to a room: every action is checked here and written to the moderation log.
import { chat, channels } from '../db/index.ts';
import type { ChatError, ChatRoomRef, ChatRoomSettings } from './contracts.ts';
import { presentMessage, settingsOf } from './present.ts';
import type { ChatService } from './service.ts';
import { cleanWordList } from './text.ts';
import { numberField } from './fields.ts';

export interface Actor { label: string; accountId: number | null; key: string }
/** Where the action happens and whether the actor moderates there. */
export interface ModerationScope { room: ChatRoomRef; channelId: number; moderator: boolean }

export interface ModerationRequest {
  action: 'timeout' | 'ban' | 'unban' | 'clear';
  messageId?: number;
  account?: string;
  durationSeconds?: number;
  reason?: string;
}

const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;
const forbidden: ChatError = { code: 'forbidden', message: 'Only moderators can do that' };

/** A moderator deletes any message; an author their own. */
export async function deleteMessage(service: ChatService, actor: Actor, scope: ModerationScope, messageId: number): Promise<ChatError | undefined> {
  const pool = service.database;
  const row = Number.isSafeInteger(messageId) ? await chat.findMessage(pool, scope.room.id, messageId) : undefined;
  if (!row || row.deleted_at) return { code: 'not_found', message: 'No such message' };
  if (!scope.moderator && row.author_key !== actor.key) return forbidden;
  const hidden = await chat.hideMessages(pool, scope.room.id, [messageId]);
  if (hidden.length === 0) return undefined;
  if (scope.moderator && row.author_key !== actor.key) {
    await log(service, actor, scope, 'delete', row.nick, { messageId, text: row.text });
  }
  service.publish({ type: 'deleted', room: scope.room, messageIds: hidden, bridgeIds: row.bridge_id ? [row.bridge_id] : [] });
  return undefined;
}

export async function moderate(service: ChatService, actor: Actor, scope: ModerationScope, request: ModerationRequest): Promise<ChatError | undefined> {
  if (!scope.moderator) return forbidden;
  if (request.action === 'clear') return clearRoom(service, actor, scope);
  if (!['timeout', 'ban', 'unban'].includes(request.action)) return { code: 'invalid', message: 'Unknown moderation action' };
  const target = await targetOf(service, scope, request);
  if ('code' in target) return target;
  if (target.keys.includes(actor.key)) return { code: 'invalid', message: 'You cannot moderate yourself' };
  const reason = typeof request.reason === 'string' ? request.reason.slice(0, 500) : '';
  if (request.action === 'unban') {
    await chat.liftBans(service.database, scope.channelId, target.keys);
    await log(service, actor, scope, 'unban', target.label, {});
    return undefined;
  }
  if (target.moderator) return { code: 'forbidden', message: 'Moderators cannot be banned or timed out' };
  const duration = numberField(request.durationSeconds);
  if (request.action === 'timeout' && !(Number.isInteger(duration) && duration >= 1 && duration <= MAX_TIMEOUT_SECONDS)) {
    return { code: 'invalid', message: `A timeout lasts 1 to ${MAX_TIMEOUT_SECONDS} seconds (durationSeconds)` };
  }
  const expiresAt = request.action === 'timeout' ? new Date(Date.now() + duration * 1000) : null;
  // An account is also held at the addresses it chatted from: logging out must not lift the ban.
  const addressKeys = target.accountId === null ? [] : await service.addressKeysOf(target.accountId);
  const keys = [...new Set([...target.keys, ...addressKeys])];
  await chat.insertBan(service.database, {
    channelId: scope.channelId, targetKeys: keys, targetLabel: target.label, expiresAt, reason, createdBy: actor.accountId,
  });
  await log(service, actor, scope, request.action, target.label, { reason, ...(expiresAt ? { until: expiresAt.toISOString() } : {}) });
  service.publish({
    type: 'moderated', room: scope.room, targetKeys: keys, action: request.action,
    until: expiresAt?.toISOString() ?? null, reason,
  });
  return undefined;
}

/** The author of a message (by their identity keys and the address it was said from), or a local account. */
async function targetOf(service: ChatService, scope: ModerationScope, request: ModerationRequest):
  Promise<{ keys: string[]; label: string; moderator: boolean; accountId: number | null } | ChatError> {
  if (request.messageId !== undefined) {
    const messageId = numberField(request.messageId);
    const row = Number.isSafeInteger(messageId) ? await chat.findMessage(service.database, scope.room.id, messageId) : undefined;
    if (!row) return { code: 'not_found', message: 'No such message' };
    const keys = [row.author_key, ...(row.author_ip_hash ? [`ip:${row.author_ip_hash}`] : [])];
    return { keys, label: presentMessage(row).author.nick, moderator: row.moderator, accountId: row.account_id };
  }
  if (typeof request.account === 'string') {
    const accountId = await channels.findAccountIdByName(service.database, request.account);
    if (accountId === undefined) return { code: 'not_found', message: 'No such account' };
    return { keys: [`a:${accountId}`], label: request.account, moderator: false, accountId };
  }
  return { code: 'invalid', message: 'Say whom: messageId or account' };
}

async function clearRoom(service: ChatService, actor: Actor, scope: ModerationScope): Promise<undefined> {
  const count = await chat.hideAllMessages(service.database, scope.room.id);
  await log(service, actor, scope, 'clear', null, { messages: count });
  service.publish({ type: 'cleared', room: scope.room });
  return undefined;
}

export async function updateSettings(service: ChatService, actor: Actor, scope: ModerationScope, body: Record<string, unknown>):
  Promise<ChatRoomSettings | ChatError> {
  if (!scope.moderator) return forbidden;
  const update: { slowModeSeconds?: number; mode?: string; forbiddenWords?: string[] } = {};
  if (body.slowModeSeconds !== undefined) {
    const seconds = numberField(body.slowModeSeconds);
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 86400) return { code: 'invalid', message: 'slowModeSeconds: 0 to 86400' };
    update.slowModeSeconds = seconds;
  }
  if (body.mode !== undefined) {
    if (typeof body.mode !== 'string' || !['open', 'registered', 'followers'].includes(body.mode)) return { code: 'invalid', message: 'mode: open, registered or followers' };
    update.mode = body.mode;
  }
  if (body.forbiddenWords !== undefined) {
    const words = cleanWordList(body.forbiddenWords);
    if (!Array.isArray(words)) return words;
    update.forbiddenWords = words;
  }
  await chat.updateRoomSettings(service.database, scope.room.id, update);
  const room = await chat.findRoom(service.database, scope.room.id);
  const settings = settingsOf(room!);
  await log(service, actor, scope, 'settings', null, update);
  service.publish({ type: 'settings', room: scope.room, settings });
  return settings;
}

function log(service: ChatService, actor: Actor, scope: ModerationScope, action: string, target: string | null, details: Record<string, unknown>) {
  return chat.logModeration(service.database, { roomId: scope.room.id, actorAccountId: actor.accountId, actor: actor.label, action, target, details });
}
