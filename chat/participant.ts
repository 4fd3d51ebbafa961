// A person in the chat, as the server knows them for one connection.
import { createHash } from 'node:crypto';
import type { UserRow } from '../db/index.ts';
import { anonymousKey, anonymousNick, colorOf, ipHash, ANON_ID } from './identity.ts';
import { cleanNick } from './text.ts';

export interface Participant {
  /** 'a:<account id>' for accounts, 'n:<hash>' for an anonymous browser, 's:<socket id>' without anonId, 'x…' for XMPP. */
  key: string;
  /** What bans and timeouts are matched against: the key, plus the salted IP hash for anonymous viewers. */
  banKeys: string[];
  /**
   * What the anti-flood and slow mode count: the account, or for anonymous viewers their address
   * (`ip:<hash>`), since the anonId is theirs to change at every reconnection.
   */
  rateKey: string;
  /** The salted hash of the address the connection came from (stored with messages; null for XMPP). */
  ipHash: string | null;
  user: UserRow | undefined;
  nick: string;
  color: string;
  anonymous: boolean;
}

export function participantOf(input: { user: UserRow | undefined; anonId: unknown; connectionId: string; ip: string; salt: Buffer }): Participant {
  const hash = ipHash(input.salt, input.ip);
  if (input.user) {
    const key = `a:${input.user.account_id}`;
    return { key, banKeys: [key], rateKey: key, ipHash: hash, user: input.user, nick: input.user.username, color: colorOf(key), anonymous: false };
  }
  const key = typeof input.anonId === 'string' && ANON_ID.test(input.anonId) ? anonymousKey(input.anonId) : `s:${input.connectionId}`;
  const address = `ip:${hash}`;
  return { key, banKeys: [key, address], rateKey: address, ipHash: hash, user: undefined, nick: anonymousNick(key), color: colorOf(key), anonymous: true };
}

/**
 * An XMPP occupant as a participant: anonymous (we know no local account for a JID), keyed by a
 * hash of their bare JID when the MUC gave it (a nick is theirs to change), else by their nick.
 * Bans match either, so a ban on a nick still holds whoever takes it.
 */
export function xmppParticipant(rawNick: string, jid: string | null): Participant {
  const nick = cleanNick(rawNick);
  const nickKey = `x:${nick}`;
  const key = jid ? `xj:${createHash('sha256').update(`xmpp-jid:${jid.split('/')[0].toLowerCase()}`).digest('base64url').slice(0, 22)}` : nickKey;
  return {
    key, banKeys: key === nickKey ? [key] : [key, nickKey], rateKey: key, ipHash: null,
    user: undefined, nick, color: colorOf(key), anonymous: true,
  };
}
