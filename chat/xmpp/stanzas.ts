// Builders for the stanzas the bridge sends. Pure: no connection, so they are unit-tested as XML.
import { NS } from './namespaces.ts';
import { xml, type XmlElement } from './xmpp-js.ts';

/** Joins `room/nick` (XEP-0045 §7.2); `maxHistory` 0 for web users, who have the web history. */
export function joinPresence(from: string, room: string, nick: string, maxHistory: number): XmlElement {
  return xml('presence', { from, to: `${room}/${nick}` },
    xml('x', { xmlns: NS.muc }, xml('history', { maxstanzas: String(maxHistory) })));
}

export function leavePresence(from: string, room: string, nick: string): XmlElement {
  return xml('presence', { from, to: `${room}/${nick}`, type: 'unavailable' });
}

/** A web message said in the MUC; the origin-id lets us recognise its reflection and retract it. */
export function groupchatMessage(from: string, room: string, text: string, originId: string): XmlElement {
  return xml('message', { from, to: room, type: 'groupchat', id: originId },
    xml('body', {}, text),
    xml('origin-id', { xmlns: NS.sid, id: originId }));
}

export function subjectMessage(from: string, room: string, subject: string): XmlElement {
  return xml('message', { from, to: room, type: 'groupchat' }, xml('subject', {}, subject));
}

export const RETRACTION_FALLBACK = 'This person attempted to retract a previous message, but it is unsupported by your client.';

/**
 * A retraction (XEP-0424). The current form names the MUC's stanza-id; the first form
 * (message-retract:0 over XEP-0422 fastening), still sent by and understood by older clients,
 * names the origin-id. Both ride in one message, with a fallback body for clients with neither.
 */
export function retractionMessage(from: string, room: string, target: { stanzaId: string | null; originId: string }): XmlElement {
  return xml('message', { from, to: room, type: 'groupchat', id: `${target.originId}-retract` },
    xml('retract', { xmlns: NS.retract, id: target.stanzaId ?? target.originId }),
    xml('apply-to', { xmlns: NS.fasten, id: target.originId }, xml('retract', { xmlns: NS.retractV0 })),
    xml('fallback', { xmlns: NS.fallback, for: NS.retract }),
    xml('body', {}, RETRACTION_FALLBACK),
    xml('store', { xmlns: NS.hints }));
}

/** Accepts the default configuration of a room we just created ("instant room", XEP-0045 §10.1.2). */
export function instantRoomIq(from: string, room: string): XmlElement {
  return xml('iq', { from, to: room, type: 'set' },
    xml('query', { xmlns: NS.mucOwner }, xml('x', { xmlns: NS.dataForms, type: 'submit' })));
}

/** A private message to one occupant, e.g. to say why their message did not reach the web. */
export function privateNotice(from: string, occupant: string, text: string): XmlElement {
  return xml('message', { from, to: occupant, type: 'chat' },
    xml('body', {}, text),
    xml('x', { xmlns: NS.mucUser }));
}
