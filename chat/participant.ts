// A person in the chat, as the server knows them for one connection.
import type { UserRow } from '../db/index.ts';
import { anonymousKey, anonymousNick, colorOf, ipHash, ANON_ID } from './identity.ts';

export interface Participant {
  /** 'a:<account id>' for accounts, 'n:<hash>' for an anonymous browser, 's:<socket id>' without anonId. */
  key: string;
  /** What bans and timeouts are matched against: the key, plus the salted IP hash for anonymous viewers. */
  banKeys: string[];
  ipHash: string | null;
  user: UserRow | undefined;
  nick: string;
  color: string;
  anonymous: boolean;
}

export function participantOf(input: { user: UserRow | undefined; anonId: unknown; connectionId: string; ip: string; salt: Buffer }): Participant {
  if (input.user) {
    const key = `a:${input.user.account_id}`;
    return { key, banKeys: [key], ipHash: null, user: input.user, nick: input.user.username, color: colorOf(key), anonymous: false };
  }
  const key = typeof input.anonId === 'string' && ANON_ID.test(input.anonId) ? anonymousKey(input.anonId) : `s:${input.connectionId}`;
  const hash = ipHash(input.salt, input.ip);
  return { key, banKeys: [key, `ip:${hash}`], ipHash: hash, user: undefined, nick: anonymousNick(key), color: colorOf(key), anonymous: true };
}
