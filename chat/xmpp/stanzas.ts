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

const RETRACTION_FALLBACK = 'This person attempted to retract a previous message, but it is unsupported by your client.';

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

/**
 * Configures a room our join created (XEP-0045 §10.1.3), in place of the server's defaults:
 * moderated (newcomers are visitors until the bridge gives voice to those the chat's rules allow),
 * semi-anonymous (real JIDs only to moderators: the bridge bans by JID), not listed in the MUC
 * directory, not persistent, and only moderators change the subject (the live's title).
 */
export function roomConfigIq(from: string, room: string, title: string): XmlElement {
  const field = (name: string, value: string) => xml('field', { var: name }, xml('value', {}, value));
  return xml('iq', { from, to: room, type: 'set' },
    xml('query', { xmlns: NS.mucOwner }, xml('x', { xmlns: NS.dataForms, type: 'submit' },
      field('FORM_TYPE', 'http://jabber.org/protocol/muc#roomconfig'),
      field('muc#roomconfig_roomname', title),
      field('muc#roomconfig_moderatedroom', '1'),
      field('muc#roomconfig_membersonly', '0'),
      field('muc#roomconfig_whois', 'moderators'),
      field('muc#roomconfig_publicroom', '0'),
      field('muc#roomconfig_persistentroom', '0'),
      field('muc#roomconfig_changesubject', '0'),
      field('muc#roomconfig_allowinvites', '0'))));
}

/** Gives (or takes) voice in a moderated room (XEP-0045 §8.3). */
export function roleIq(from: string, room: string, nick: string, role: 'participant' | 'visitor'): XmlElement {
  return xml('iq', { from, to: room, type: 'set' },
    xml('query', { xmlns: NS.mucAdmin }, xml('item', { nick, role })));
}

/** Makes a bare JID a member of a room (XEP-0045 §9.3): members of a moderated room enter with voice. */
export function memberIq(from: string, room: string, jid: string): XmlElement {
  return xml('iq', { from, to: room, type: 'set' },
    xml('query', { xmlns: NS.mucAdmin }, xml('item', { jid, affiliation: 'member' })));
}

/** Destroys a room we own (XEP-0045 §10.9): its live is no longer one the bridge may mirror. */
export function destroyRoomIq(from: string, room: string, reason: string): XmlElement {
  return xml('iq', { from, to: room, type: 'set' },
    xml('query', { xmlns: NS.mucOwner }, xml('destroy', {}, xml('reason', {}, reason))));
}

/** A private message to one occupant, e.g. to say why their message did not reach the web. */
export function privateNotice(from: string, occupant: string, text: string): XmlElement {
  return xml('message', { from, to: occupant, type: 'chat' },
    xml('body', {}, text),
    xml('x', { xmlns: NS.mucUser }));
}
