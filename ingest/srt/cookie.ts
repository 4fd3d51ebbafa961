// SYN cookies for the SRT induction, as libsrt bakes them: a value derived from the caller's
// address, port and the current minute, so that the listener keeps no state for a caller until
// it proves, by echoing the cookie in its conclusion, that it receives at that address.
// This is what stops a flood of spoofed inductions from costing us anything.
import { createHmac, randomBytes } from 'node:crypto';

const MINUTE_MS = 60_000;

export class CookieJar {
  readonly #secret: Buffer;

  constructor(secret: Buffer = randomBytes(32)) {
    this.#secret = secret;
  }

  cookieFor(address: string, port: number, now = Date.now()): number {
    return this.#bake(address, port, Math.floor(now / MINUTE_MS));
  }

  /** A cookie from this minute or the previous one (a handshake may straddle the boundary). */
  accepts(cookie: number, address: string, port: number, now = Date.now()): boolean {
    const minute = Math.floor(now / MINUTE_MS);
    return cookie === this.#bake(address, port, minute) || cookie === this.#bake(address, port, minute - 1);
  }

  #bake(address: string, port: number, minute: number): number {
    return createHmac('sha256', this.#secret).update(`${address}|${port}|${minute}`).digest().readUInt32BE(0);
  }
}
