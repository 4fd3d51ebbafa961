// Web → MUC: web messages said by each user's own occupant, retractions, the bot's presence and
// the subject. Each function runs inside the room's queue (see rooms.ts).
import type { ChatMessage } from '../contracts.ts';
import { BOT_NICK, occupantJid, userKey } from './addresses.ts';
import type { BridgeContext } from './context.ts';
import type { RoomState } from './rooms.ts';
import { originIdFor, type SentMessage } from './sent-log.ts';
import { xmppParticipant } from '../participant.ts';
import { destroyRoomIq, memberIq, roleIq, groupchatMessage, retractionMessage, subjectMessage } from './stanzas.ts';

const CATCH_UP_BATCH = 100;
const CLEARED_NOTICE = 'A moderator cleared the chat.';
const CLOSED_REASON = 'This live is no longer public: its chat is not open to XMPP.';

/** The bot joins the room (creating it if needed) and sets the subject to the room's title. */
export async function joinBot(ctx: BridgeContext, state: RoomState): Promise<void> {
  if (ctx.occupants.nickOf(state.jid, ctx.botJid)) return;
  const { created } = await ctx.occupants.join(state.jid, ctx.botJid, BOT_NICK, state.ref.title);
  // A new room (the XMPP server restarted, or first use) knows none of our members.
  if (created) state.members.clear();
  if (created || (state.subject !== null && state.subject !== state.ref.title)) await setSubject(ctx, state);
}

async function setSubject(ctx: BridgeContext, state: RoomState): Promise<void> {
  state.subject = state.ref.title;
  // The MUC answers with an error message if the bot may not; from-muc.ts logs it.
  await ctx.connection.send(subjectMessage(ctx.botJid, state.jid, state.ref.title));
}

/** Says a web message in the MUC unless it was said already; owed to a later catch-up while offline. */
export async function deliver(ctx: BridgeContext, state: RoomState, message: ChatMessage): Promise<void> {
  if (!ctx.connection.isOnline()) {
    state.lastDelivered ??= message.id - 1;
    state.owed = true;
    return;
  }
  if (state.lastDelivered !== null && message.id <= state.lastDelivered) return;
  try {
    await joinBot(ctx, state);
    await say(ctx, state, message);
    state.lastDelivered = message.id;
  } catch (error) {
    // Offline now: the catch-up after reconnecting says it. Online: the MUC refused; skip it.
    if (!ctx.connection.isOnline()) {
      state.owed = true;
      return;
    }
    ctx.log.warn(`could not say web message ${message.id} in ${state.jid}: ${(error as Error).message}`);
    state.lastDelivered = Math.max(state.lastDelivered ?? 0, message.id);
  }
}

async function say(ctx: BridgeContext, state: RoomState, message: ChatMessage): Promise<void> {
  const key = userKey(message.author);
  const jid = occupantJid(key, ctx.settings.componentDomain);
  await admitMember(ctx, state, jid);
  const { nick } = await ctx.occupants.join(state.jid, jid, message.author.nick, state.ref.title);
  const originId = originIdFor(message.id);
  ctx.sent.add({ messageId: message.id, room: state.jid, jid, userKey: key, nick, originId, stanzaId: null });
  await ctx.connection.send(groupchatMessage(jid, state.jid, message.text, originId));
}

/**
 * Web users speak in a moderated room as members (the bot owns the room it created). A refusal
 * (the room is not ours) is logged: the message is then tried as it is.
 */
async function admitMember(ctx: BridgeContext, state: RoomState, jid: string): Promise<void> {
  const bare = jid.split('/')[0];
  if (state.members.has(bare)) return;
  try {
    await ctx.connection.request(memberIq(ctx.botJid, state.jid, bare));
    state.members.add(bare);
  } catch (error) {
    ctx.log.warn(`could not make ${bare} a member of ${state.jid}: ${(error as Error).message}`);
  }
}

/** Says the web messages stored since the last one the MUC got (after the XMPP server came back). */
export async function catchUp(ctx: BridgeContext, state: RoomState): Promise<void> {
  while (state.lastDelivered !== null && ctx.connection.isOnline()) {
    const before = state.lastDelivered;
    const batch = await ctx.hub.messagesAfter(state.ref.id, before, CATCH_UP_BATCH);
    for (const message of batch) if (message.author.source === 'web') await deliver(ctx, state, message);
    const last = batch.at(-1);
    if (last) state.lastDelivered = Math.max(state.lastDelivered ?? 0, last.id);
    // Only an empty batch means the end: the hub may return fewer than asked when it filters rows.
    if (batch.length === 0 || state.lastDelivered === before) break;
  }
  if (ctx.connection.isOnline()) state.owed = false;
}

/** Retracts a web message from the occupant that said it; owed to later while offline. */
export async function retract(ctx: BridgeContext, state: RoomState, sent: SentMessage): Promise<void> {
  const owe = () => {
    state.retractionsOwed.push(sent);
    state.owed = true;
  };
  if (!ctx.connection.isOnline()) return owe();
  try {
    // The bot first: whoever of ours enters first creates (and configures) the room.
    await joinBot(ctx, state);
    await admitMember(ctx, state, sent.jid);
    await ctx.occupants.join(state.jid, sent.jid, sent.nick, state.ref.title);
    await ctx.connection.send(retractionMessage(sent.jid, state.jid, { stanzaId: sent.stanzaId, originId: sent.originId }));
    ctx.sent.forget(sent.messageId);
  } catch (error) {
    if (!ctx.connection.isOnline()) return owe();
    ctx.log.warn(`could not retract web message ${sent.messageId} in ${state.jid}: ${(error as Error).message}`);
  }
}

/**
 * The room's live is no longer public or unlisted: the bot destroys the MUC room (it created it,
 * so it owns it; XMPP users are told why) and every occupant of ours leaves. Nothing more is owed.
 */
export async function closeRoom(ctx: BridgeContext, state: RoomState): Promise<void> {
  ctx.rooms.forget(state);
  ctx.roster.forgetRoom(state.jid);
  // A room we are not in (a private live's audience is announced too) has nothing to close.
  if (!ctx.connection.isOnline() || !ctx.occupants.nickOf(state.jid, ctx.botJid)) return;
  await ctx.connection.request(destroyRoomIq(ctx.botJid, state.jid, CLOSED_REASON))
    .catch((error: Error) => ctx.log.warn(`could not destroy ${state.jid}: ${error.message}`));
  await ctx.occupants.leaveRoom(state.jid);
  ctx.log.info(`XMPP bridge: ${state.jid} is no longer bridged (its live is not public or unlisted)`);
}

/** A ban or timeout on the web: the XMPP occupants it holds (by JID or nick) lose their voice in the MUC. */
export async function silence(ctx: BridgeContext, state: RoomState, targetKeys: string[]): Promise<void> {
  if (!ctx.connection.isOnline()) return;
  const targets = new Set(targetKeys);
  const known = ctx.roster.occupantsOf(state.jid);
  const nickTargets = targetKeys.filter((key) => key.startsWith('x:')).map((key) => key.slice(2));
  const nicks = new Set([
    ...known.filter(({ nick, jid }) => xmppParticipant(nick, jid).banKeys.some((key) => targets.has(key))).map(({ nick }) => nick),
    ...nickTargets,
  ]);
  for (const nick of nicks) {
    if (ctx.occupants.isOurs(state.jid, nick)) continue;
    await ctx.connection.request(roleIq(ctx.botJid, state.jid, nick, 'visitor'))
      .catch((error: Error) => ctx.log.debug(`could not take voice from ${nick} in ${state.jid}: ${error.message}`));
  }
}

export async function retractOwed(ctx: BridgeContext, state: RoomState): Promise<void> {
  const owed = state.retractionsOwed.splice(0);
  for (const sent of owed) await retract(ctx, state, sent);
}

/** A web moderator cleared the chat: retract what we said recently and tell the room. */
export async function clear(ctx: BridgeContext, state: RoomState, limit: number): Promise<void> {
  for (const sent of ctx.sent.recentIn(state.jid, limit)) await retract(ctx, state, sent);
  if (!ctx.connection.isOnline()) return;
  await joinBot(ctx, state);
  await ctx.connection.send(groupchatMessage(ctx.botJid, state.jid, CLEARED_NOTICE, `livecast-clear-${Date.now()}`));
}
