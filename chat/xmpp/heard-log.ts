// XMPP messages the bridge passed to the web, under every id a retraction may name (the MUC's
// stanza-id in current clients, the origin-id or message id in older ones), with their author's
// nick so that only the author can retract them.
import { BoundedMap } from './bounded-map.ts';
import type { MessageIds } from './incoming.ts';

export interface HeardMessage { bridgeId: string; nick: string }

export class HeardLog {
  readonly #byId = new BoundedMap<string, HeardMessage>(30_000);

  add(room: string, ids: MessageIds, heard: HeardMessage): void {
    for (const id of [ids.stanzaId, ids.originId, ids.id]) if (id) this.#byId.set(`${room} ${id}`, heard);
  }

  find(room: string, id: string): HeardMessage | undefined {
    return this.#byId.get(`${room} ${id}`);
  }
}
