// Who of ours is in which MUC room, under which nick. Joins wait for the MUC's answer, take
// another nick when the wanted one is taken, and unlock a room our join created.
import { nickCandidate } from './addresses.ts';
import type { BridgeConnection } from './connection.ts';
import type { SelfPresence } from './presence.ts';
import { joinPresence, leavePresence, roomConfigIq } from './stanzas.ts';

interface Occupant { room: string; jid: string; nick: string; lastUsed: number }
interface PendingJoin { resolve(result: JoinResult): void; timer: NodeJS.Timeout }
export interface Joined { nick: string; created: boolean }
type JoinResult = { ok: true; nick: string; created: boolean } | { ok: false; condition: string };

const JOIN_TIMEOUT_MS = 10_000;
const MAX_NICK_ATTEMPTS = 6;

export class Occupants {
  readonly #connection: BridgeConnection;
  readonly #joined = new Map<string, Occupant>();
  readonly #joining = new Map<string, Promise<Joined>>();
  readonly #pending = new Map<string, PendingJoin>();

  constructor(connection: BridgeConnection) {
    this.#connection = connection;
  }

  /**
   * Joins `jid` to `room` (if not in it yet): the nick it has there, and whether the join created
   * the room (then configured with `title`, see roomConfigIq).
   */
  join(room: string, jid: string, wantedNick: string, title = room): Promise<Joined> {
    const key = occupantKey(room, jid);
    const joined = this.#joined.get(key);
    if (joined) {
      joined.lastUsed = Date.now();
      return Promise.resolve({ nick: joined.nick, created: false });
    }
    let joining = this.#joining.get(key);
    if (!joining) {
      joining = this.#tryNicks(room, jid, wantedNick, title).finally(() => this.#joining.delete(key));
      this.#joining.set(key, joining);
    }
    return joining;
  }

  nickOf(room: string, jid: string): string | undefined {
    return this.#joined.get(occupantKey(room, jid))?.nick;
  }

  /** True when `nick` in `room` is one of our occupants (so its messages are our own reflections). */
  isOurs(room: string, nick: string): boolean {
    for (const occupant of this.#joined.values()) if (occupant.room === room && occupant.nick === nick) return true;
    return false;
  }

  /** Feeds the MUC's presences about our occupants themselves. */
  onPresence(presence: SelfPresence): void {
    if (presence.kind === 'other') return;
    const key = occupantKey(presence.room, presence.to);
    const pending = this.#pending.get(key);
    if (presence.kind === 'left') {
      this.#joined.delete(key);
    } else if (pending) {
      this.#pending.delete(key);
      clearTimeout(pending.timer);
      pending.resolve(presence.kind === 'joined' ? { ok: true, nick: presence.nick, created: presence.created } : { ok: false, condition: presence.condition });
    }
  }

  /** The connection is gone: the MUC no longer has any of us. */
  reset(): void {
    this.#joined.clear();
    for (const [key, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.resolve({ ok: false, condition: 'disconnected' });
      this.#pending.delete(key);
    }
  }

  /**
   * Web users who have not spoken for `idleMs` leave the MUC, so that its occupant list shows who
   * is talking rather than everyone who ever did; they come back with their next message.
   */
  async leaveIdle(idleMs: number, keepJid: string): Promise<void> {
    const before = Date.now() - idleMs;
    const idle = [...this.#joined.entries()].filter(([, occupant]) => occupant.jid !== keepJid && occupant.lastUsed < before);
    for (const [key] of idle) this.#joined.delete(key);
    await Promise.allSettled(idle.map(([, occupant]) => this.#connection.send(leavePresence(occupant.jid, occupant.room, occupant.nick))));
  }

  /** Every occupant of ours leaves `room` (it is no longer bridged). */
  async leaveRoom(room: string): Promise<void> {
    const leaving = [...this.#joined.entries()].filter(([, occupant]) => occupant.room === room);
    for (const [key] of leaving) this.#joined.delete(key);
    await Promise.allSettled(leaving.map(([, occupant]) => this.#connection.send(leavePresence(occupant.jid, occupant.room, occupant.nick))));
  }

  /** Best-effort goodbye from every occupant (the bridge is stopping). */
  async leaveAll(): Promise<void> {
    const leaving = [...this.#joined.values()].map((occupant) => this.#connection.send(leavePresence(occupant.jid, occupant.room, occupant.nick)));
    this.#joined.clear();
    await Promise.allSettled(leaving);
  }

  async #tryNicks(room: string, jid: string, wantedNick: string, title: string): Promise<Joined> {
    for (let attempt = 0; attempt < MAX_NICK_ATTEMPTS; attempt += 1) {
      const result = await this.#joinOnce(room, jid, nickCandidate(wantedNick, attempt));
      if (result.ok) {
        if (result.created) await this.#connection.request(roomConfigIq(jid, room, title));
        this.#joined.set(occupantKey(room, jid), { room, jid, nick: result.nick, lastUsed: Date.now() });
        return { nick: result.nick, created: result.created };
      }
      if (result.condition !== 'conflict') throw new Error(`joining ${room} as ${jid} failed: ${result.condition}`);
    }
    throw new Error(`joining ${room}: every nick like "${wantedNick}" is taken`);
  }

  #joinOnce(room: string, jid: string, nick: string): Promise<JoinResult> {
    const key = occupantKey(room, jid);
    const answer = new Promise<JoinResult>((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(key);
        resolve({ ok: false, condition: 'timeout' });
      }, JOIN_TIMEOUT_MS);
      this.#pending.set(key, { resolve, timer });
    });
    this.#connection.send(joinPresence(jid, room, nick, 0)).catch(() => this.onPresence({ kind: 'error', room, to: jid, nick, condition: 'send-failed' }));
    return answer;
  }
}

function occupantKey(room: string, jid: string): string {
  return `${room} ${jid}`;
}
