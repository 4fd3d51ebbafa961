// The rooms the bridge serves, each with its own queue: everything said or retracted in one room
// goes to the MUC one after the other, in the order the web saw it, and catch-up after a
// reconnection cannot interleave with live messages.
import type { ChatRoomRef } from '../contracts.ts';
import { roomJid } from './addresses.ts';
import type { SentMessage } from './sent-log.ts';

export interface RoomState {
  ref: ChatRoomRef;
  /** The MUC room's bare address. */
  jid: string;
  /** The last web message said in the MUC (or, if none yet, the one before the first we owe it). */
  lastDelivered: number | null;
  /** Web messages or retractions wait for the XMPP server to come back. */
  owed: boolean;
  retractionsOwed: SentMessage[];
  /** The MUC room's subject as we last saw or set it. */
  subject: string | null;
  /** When the web last said something or announced an audience: rooms stay served a while after. */
  lastActivity: number;
  /** Our web users' bare JIDs made members of the MUC room (so they speak in a moderated room). */
  members: Set<string>;
  queue: Promise<void>;
}

export class Rooms {
  readonly #mucDomain: string;
  readonly #byId = new Map<number, RoomState>();
  readonly #byJid = new Map<string, RoomState>();

  constructor(mucDomain: string) {
    this.#mucDomain = mucDomain;
  }

  /** The state of `ref`'s room, created on first sight; a new title is kept for the subject. */
  ensure(ref: ChatRoomRef): RoomState {
    const known = this.#byId.get(ref.id);
    if (known) {
      known.ref = ref;
      known.lastActivity = Date.now();
      return known;
    }
    const jid = roomJid(ref.xmppName, this.#mucDomain);
    const state: RoomState = {
      ref, jid, lastDelivered: null, owed: false, retractionsOwed: [], subject: null, lastActivity: Date.now(), members: new Set(), queue: Promise.resolve(),
    };
    this.#byId.set(ref.id, state);
    this.#byJid.set(jid, state);
    return state;
  }

  /** Forgets a room the bridge no longer serves (a later event for it starts afresh). */
  forget(state: RoomState): void {
    if (this.#byId.get(state.ref.id) === state) this.#byId.delete(state.ref.id);
    if (this.#byJid.get(state.jid) === state) this.#byJid.delete(state.jid);
  }

  byId(id: number): RoomState | undefined {
    return this.#byId.get(id);
  }

  byJid(jid: string): RoomState | undefined {
    return this.#byJid.get(jid);
  }

  all(): RoomState[] {
    return [...this.#byId.values()];
  }

  /** Runs `task` after the room's earlier tasks; a failing task never stops the queue. */
  enqueue(state: RoomState, task: () => Promise<void>, onError: (error: Error) => void): Promise<void> {
    state.queue = state.queue.then(task).catch(onError);
    return state.queue;
  }
}
