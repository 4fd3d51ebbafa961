// The real JIDs behind the nicks in the rooms the bridge serves, as the MUC shows them to the bot
// (a moderator). Bans follow the JID: a nick is the XMPP user's to change.
import { BoundedMap } from './bounded-map.ts';
import type { OccupantPresence } from './presence.ts';

export class Roster {
  readonly #jids = new BoundedMap<string, string>(50_000);

  /** Notes what a presence says; true when someone arrived without voice (a visitor). */
  onPresence(presence: OccupantPresence): boolean {
    if (presence.kind === 'left') {
      // A nick change keeps the JID under the new nick until the new nick's presence confirms it.
      const jid = this.#jids.get(key(presence.room, presence.nick));
      this.#jids.delete(key(presence.room, presence.nick));
      if (jid && presence.newNick) this.#jids.set(key(presence.room, presence.newNick), jid);
      return false;
    }
    if (presence.kind !== 'present') return false;
    if (presence.jid) this.#jids.set(key(presence.room, presence.nick), presence.jid);
    return presence.role === 'visitor';
  }

  jidOf(room: string, nick: string): string | null {
    return this.#jids.get(key(room, nick)) ?? null;
  }

  /** The nicks and known JIDs in `room`. */
  occupantsOf(room: string): Array<{ nick: string; jid: string }> {
    const prefix = `${room} `;
    return [...this.#jids].filter(([entry]) => entry.startsWith(prefix)).map(([entry, jid]) => ({ nick: entry.slice(prefix.length), jid }));
  }

  forgetRoom(room: string): void {
    for (const entry of this.#jids.keys()) if (entry.startsWith(`${room} `)) this.#jids.delete(entry);
  }
}

const key = (room: string, nick: string) => `${room} ${nick}`;
