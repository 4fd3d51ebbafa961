// What the bridge said in the MUC for web messages: enough to retract them later (who said it,
// and the ids the MUC knows it by). In memory: after a restart of our server, older web messages
// can no longer be retracted on the XMPP side.
import { BoundedMap } from './bounded-map.ts';

export interface SentMessage {
  messageId: number;
  room: string;
  /** The web user's occupant JID and nick, to retract from the same occupant. */
  jid: string;
  userKey: string;
  nick: string;
  originId: string;
  /** Filled in when the MUC's reflection arrives. */
  stanzaId: string | null;
}

const ORIGIN_PREFIX = 'livecast-';

export const originIdFor = (messageId: number) => `${ORIGIN_PREFIX}${messageId}`;

/** The web message id in one of our origin-ids, or null for anyone else's. */
export function messageIdOf(originId: string | null): number | null {
  if (!originId?.startsWith(ORIGIN_PREFIX)) return null;
  const id = Number(originId.slice(ORIGIN_PREFIX.length));
  return Number.isSafeInteger(id) ? id : null;
}

export class SentLog {
  readonly #byId = new BoundedMap<number, SentMessage>(10_000);

  add(message: SentMessage): void {
    this.#byId.set(message.messageId, message);
  }

  get(messageId: number): SentMessage | undefined {
    return this.#byId.get(messageId);
  }

  noteStanzaId(messageId: number, stanzaId: string): void {
    const sent = this.#byId.get(messageId);
    if (sent) sent.stanzaId = stanzaId;
  }

  /** The most recent messages said in `room`, newest last. */
  recentIn(room: string, limit: number): SentMessage[] {
    return [...this.#byId.values()].filter((sent) => sent.room === room).slice(-limit);
  }

  forget(messageId: number): void {
    this.#byId.delete(messageId);
  }
}
