// How web users and rooms map to XMPP addresses. Each web user gets a JID of their own in the
// component's domain, so the MUC sees one occupant per person rather than one relay for all.
import { createHash } from 'node:crypto';
import type { ChatAuthor } from '../contracts.ts';

export const BOT_NICK = 'livecast';

/** Identifies a web user across messages: the account, or the (stable) nick of an anonymous viewer. */
export function userKey(author: Pick<ChatAuthor, 'account' | 'nick'>): string {
  return author.account !== null ? `account:${author.account}` : `anon:${author.nick}`;
}

/** `u-<hash>@<componentDomain>/web`: hashed so that the JID reveals nothing and is always valid. */
export function occupantJid(key: string, componentDomain: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 20);
  return `u-${hash}@${componentDomain}/web`;
}

export function botJid(componentDomain: string): string {
  return `bridge@${componentDomain}/${BOT_NICK}`;
}

export function roomJid(xmppName: string, mucDomain: string): string {
  return `${xmppName}@${mucDomain}`;
}

/** Splits `room@muc/nick` into its bare room address and the nick (the resource may contain '/'). */
export function splitOccupant(address: string): { room: string; nick: string | null } {
  const slash = address.indexOf('/');
  if (slash < 0) return { room: address, nick: null };
  return { room: address.slice(0, slash), nick: address.slice(slash + 1) };
}

/** The n-th nick to try when the wanted one is taken in the MUC: "ann", "ann (web)", "ann (web 2)", … */
export function nickCandidate(nick: string, attempt: number): string {
  const base = nick.trim() || 'guest';
  if (attempt === 0) return base;
  return attempt === 1 ? `${base} (web)` : `${base} (web ${attempt})`;
}
