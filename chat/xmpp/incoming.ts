// Reads a groupchat message the MUC sent us into what it means for the bridge. Pure.
import { splitOccupant } from './addresses.ts';
import { NS } from './namespaces.ts';
import type { XmlElement } from './xmpp-js.ts';

export interface MessageIds {
  /** The id the MUC gave the message (XEP-0359, by the room), when it archives. */
  stanzaId: string | null;
  originId: string | null;
  /** The stanza's own id attribute. */
  id: string | null;
}

export type IncomingMessage =
  | { kind: 'said'; room: string; nick: string; text: string; ids: MessageIds }
  | { kind: 'retract'; room: string; nick: string; targetId: string; ids: MessageIds }
  | { kind: 'history'; room: string; nick: string; ids: MessageIds }
  | { kind: 'subject'; room: string; subject: string }
  | { kind: 'error'; room: string; condition: string; ids: MessageIds }
  | { kind: 'ignore' };

export function readMessage(stanza: XmlElement): IncomingMessage {
  if (stanza.name !== 'message') return { kind: 'ignore' };
  const { room, nick } = splitOccupant(stanza.attrs.from ?? '');
  const ids = messageIds(stanza, room);
  if (stanza.attrs.type === 'error') return { kind: 'error', room, condition: errorCondition(stanza), ids };
  if (stanza.attrs.type !== 'groupchat') return { kind: 'ignore' };
  // Messages from the room itself (no nick) are service notices, not someone speaking.
  if (nick === null || nick === '') return { kind: 'ignore' };
  const subject = stanza.getChild('subject');
  if (subject && !stanza.getChild('body')) return { kind: 'subject', room, subject: subject.text() };
  if (stanza.getChild('delay', NS.delay)) return { kind: 'history', room, nick, ids };
  const targetId = retractTarget(stanza);
  if (targetId !== null) return { kind: 'retract', room, nick, targetId, ids };
  const text = stanza.getChildText('body');
  if (text === null || text.trim() === '') return { kind: 'ignore' };
  return { kind: 'said', room, nick, text, ids };
}

function messageIds(stanza: XmlElement, room: string): MessageIds {
  // Only the room's own stanza-id counts: a sender can put any stanza-id in its message.
  const stanzaId = stanza.getChildren('stanza-id', NS.sid).find((child) => child.attrs.by === room)?.attrs.id ?? null;
  return { stanzaId, originId: stanza.getChild('origin-id', NS.sid)?.attrs.id ?? null, id: stanza.attrs.id ?? null };
}

/** The id a retraction names, in either the current form or the first (fastening) form. */
function retractTarget(stanza: XmlElement): string | null {
  const current = stanza.getChild('retract', NS.retract);
  if (current?.attrs.id) return current.attrs.id;
  const applyTo = stanza.getChild('apply-to', NS.fasten);
  if (applyTo?.attrs.id && applyTo.getChild('retract', NS.retractV0)) return applyTo.attrs.id;
  return null;
}

export function errorCondition(stanza: XmlElement): string {
  const error = stanza.getChild('error');
  const condition = error?.children.find((child): child is XmlElement => typeof child !== 'string' && child.attrs.xmlns === NS.stanzas);
  return condition?.name ?? 'undefined-condition';
}
