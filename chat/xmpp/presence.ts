// Reads the presences the MUC sends to one of our occupants about themselves. Pure.
import { splitOccupant } from './addresses.ts';
import { errorCondition } from './incoming.ts';
import { NS } from './namespaces.ts';
import type { XmlElement } from './xmpp-js.ts';

export type SelfPresence =
  /** We are in the room under `nick`; `created` when our join created it (status 201). */
  | { kind: 'joined'; room: string; to: string; nick: string; created: boolean }
  /** We left or were removed (kicked, banned, room destroyed, server shutting down). */
  | { kind: 'left'; room: string; to: string; nick: string }
  | { kind: 'error'; room: string; to: string; nick: string; condition: string }
  | { kind: 'other' };

export function readSelfPresence(stanza: XmlElement): SelfPresence {
  if (stanza.name !== 'presence') return { kind: 'other' };
  const { room, nick } = splitOccupant(stanza.attrs.from ?? '');
  const to = stanza.attrs.to ?? '';
  if (nick === null) return { kind: 'other' };
  if (stanza.attrs.type === 'error') return { kind: 'error', room, to, nick, condition: errorCondition(stanza) };
  const codes = statusCodes(stanza);
  // Status 110 marks the presence that concerns the receiving occupant itself.
  if (!codes.has('110')) return { kind: 'other' };
  if (stanza.attrs.type === 'unavailable') return { kind: 'left', room, to, nick };
  return { kind: 'joined', room, to, nick, created: codes.has('201') };
}

function statusCodes(stanza: XmlElement): Set<string> {
  const x = stanza.getChild('x', NS.mucUser);
  return new Set((x?.getChildren('status') ?? []).map((status) => status.attrs.code ?? ''));
}

/**
 * Someone in a room, as the MUC tells its occupants: their nick, their real JID when the room
 * shows it to us (we are a moderator of a semi-anonymous room, or the room is non-anonymous), and
 * their role. A nick change arrives as 'left' with status 303 and the new nick.
 */
export type OccupantPresence =
  | { kind: 'present'; room: string; nick: string; jid: string | null; role: string }
  | { kind: 'left'; room: string; nick: string; newNick: string | null }
  | { kind: 'other' };

export function readOccupantPresence(stanza: XmlElement): OccupantPresence {
  if (stanza.name !== 'presence' || stanza.attrs.type === 'error') return { kind: 'other' };
  const { room, nick } = splitOccupant(stanza.attrs.from ?? '');
  const item = stanza.getChild('x', NS.mucUser)?.getChild('item');
  if (nick === null || nick === '' || !item) return { kind: 'other' };
  if (stanza.attrs.type === 'unavailable') {
    return { kind: 'left', room, nick, newNick: statusCodes(stanza).has('303') ? item.attrs.nick ?? null : null };
  }
  return { kind: 'present', room, nick, jid: item.attrs.jid ?? null, role: item.attrs.role ?? 'none' };
}
