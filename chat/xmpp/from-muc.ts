// MUC → web: what XMPP users say and retract reaches the hub; our own occupants' reflections
// only teach us the MUC's stanza-ids. Everything is read from the bot's copy of each message,
// so a message said once is handled once, however many of our occupants receive it.
import type { ChatError, ChatMessage } from '../contracts.ts';
import type { BridgeContext } from './context.ts';
import { readMessage, type IncomingMessage } from './incoming.ts';
import { readOccupantPresence, readSelfPresence } from './presence.ts';
import { messageIdOf } from './sent-log.ts';
import { privateNotice, roleIq } from './stanzas.ts';
import type { XmlElement } from './xmpp-js.ts';

type Said = Extract<IncomingMessage, { kind: 'said' }>;
type Retraction = Extract<IncomingMessage, { kind: 'retract' }>;

export function onStanza(ctx: BridgeContext, stanza: XmlElement, post: (task: () => Promise<void>) => void): void {
  if (stanza.name === 'presence') return onPresence(ctx, stanza, post);
  if (stanza.name !== 'message') return;
  const incoming = readMessage(stanza);
  if (incoming.kind === 'error') return ctx.log.warn(`the MUC refused a message to ${incoming.room} (${stanza.attrs.to}): ${incoming.condition}`);
  if (stanza.attrs.to !== ctx.botJid || incoming.kind === 'ignore' || incoming.kind === 'history') return;
  const state = ctx.rooms.byJid(incoming.room);
  if (!state) return;
  if (incoming.kind === 'subject') {
    state.subject = incoming.subject;
  } else if (isOurs(ctx, incoming)) {
    noteReflection(ctx, incoming);
  } else if (incoming.kind === 'said') {
    post(() => postSaid(ctx, state.ref.id, incoming));
  } else {
    post(() => postRetraction(ctx, state.ref.id, incoming));
  }
}

function onPresence(ctx: BridgeContext, stanza: XmlElement, post: (task: () => Promise<void>) => void): void {
  const self = readSelfPresence(stanza);
  if (self.kind !== 'other') return ctx.occupants.onPresence(self);
  // Others' presences: the bot's copy is enough (each of our occupants gets one).
  if (stanza.attrs.to !== ctx.botJid) return;
  const presence = readOccupantPresence(stanza);
  if (presence.kind === 'other' || ctx.occupants.isOurs(presence.room, presence.nick)) return;
  // Our own web users' occupants (members, with voice) are not XMPP users.
  if (presence.kind === 'present' && presence.jid?.split('/')[0].endsWith(`@${ctx.settings.componentDomain}`)) return;
  const state = ctx.rooms.byJid(presence.room);
  if (!state || !ctx.roster.onPresence(presence) || presence.kind !== 'present') return;
  post(() => giveVoice(ctx, state.ref.id, presence.room, presence.nick, presence.jid));
}

/**
 * A newcomer to a moderated room speaks once the bridge gives them voice: only if the chat's rules
 * would let them post (an XMPP user counts as anonymous). Their later messages pass the rules again.
 */
async function giveVoice(ctx: BridgeContext, roomId: number, room: string, nick: string, jid: string | null): Promise<void> {
  const refusal = await ctx.hub.xmppRefusal({ roomId, nick, jid });
  if (refusal) {
    ctx.log.debug(`no voice for ${nick} in ${room}: ${refusal.code}`);
    await ctx.connection.send(privateNotice(ctx.botJid, `${room}/${nick}`, `You can read this chat but not post in it: ${refusal.message}`));
    return;
  }
  await ctx.connection.request(roleIq(ctx.botJid, room, nick, 'participant'));
}

function isOurs(ctx: BridgeContext, message: Said | Retraction): boolean {
  return ctx.occupants.isOurs(message.room, message.nick) || message.ids.originId?.startsWith('livecast-') === true;
}

function noteReflection(ctx: BridgeContext, message: Said | Retraction): void {
  const messageId = messageIdOf(message.ids.originId);
  if (message.kind === 'said' && messageId !== null && message.ids.stanzaId) ctx.sent.noteStanzaId(messageId, message.ids.stanzaId);
}

async function postSaid(ctx: BridgeContext, roomId: number, message: Said): Promise<void> {
  const bridgeId = message.ids.stanzaId ?? message.ids.id ?? message.ids.originId ?? `${message.room}/${message.nick}/${Date.now()}`;
  ctx.heard.add(message.room, message.ids, { bridgeId, nick: message.nick });
  const jid = ctx.roster.jidOf(message.room, message.nick);
  const result = await ctx.hub.postFromXmpp({ roomId, nick: message.nick, jid, text: message.text, bridgeId });
  // 'invalid' is the hub's answer to a message it relayed already: nothing to tell its author.
  if (!isChatError(result) || result.code === 'invalid') return;
  await tellRefusal(ctx, message, result);
  if (SILENCING.has(result.code)) {
    // Banned, timed out, or the room closed to them since they got voice: the MUC stops relaying
    // them to the other XMPP users too. Rejoining asks again (giveVoice).
    await ctx.connection.request(roleIq(ctx.botJid, message.room, message.nick, 'visitor'))
      .catch((error: Error) => ctx.log.debug(`could not take voice from ${message.nick} in ${message.room}: ${error.message}`));
  }
}

/** Refusals that hold for whatever the author says next (not slow mode, flood or a word). */
const SILENCING = new Set(['banned', 'timed_out', 'registered_only', 'followers_only', 'anonymous_disabled']);

/** Only the author may retract: the retraction must come from the nick that said the message. */
async function postRetraction(ctx: BridgeContext, roomId: number, retraction: Retraction): Promise<void> {
  const heard = ctx.heard.find(retraction.room, retraction.targetId);
  if (!heard || heard.nick !== retraction.nick) {
    ctx.log.debug(`ignored a retraction in ${retraction.room} by ${retraction.nick} of an unknown message or someone else's`);
    return;
  }
  await ctx.hub.retractFromXmpp({ roomId, bridgeId: heard.bridgeId });
}

async function tellRefusal(ctx: BridgeContext, message: Said, error: ChatError): Promise<void> {
  ctx.log.debug(`the web chat refused ${message.nick}'s message in ${message.room}: ${error.code}`);
  await ctx.connection.send(privateNotice(ctx.botJid, `${message.room}/${message.nick}`, `Your message was not shown on the web chat: ${error.message}`));
}

function isChatError(result: ChatMessage | ChatError): result is ChatError {
  return 'code' in result && !('id' in result);
}
