// Password hashing with scrypt from node:crypto (memory-hard, no native add-on to build).
// A hash records its own parameters (scrypt$N$r$p$salt$key), so the cost can be raised later and
// older hashes still verify; needsRehash() tells the login to upgrade them.
// Every scrypt runs on one of libuv's few worker threads (4 by default), which file reads, DNS and
// zlib share: unbounded concurrent hashing (password guesses) would stall the whole server, so at
// most `concurrency` hashes run at once and a bounded line waits behind them.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { tooManyRequests } from '../errors.ts';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;
const KEY_LENGTH = 32;
const R = 8;
const P = 1;
/** Above OWASP's 2^17 with r=8 (128 MiB): room for the hashes read back from the database up to 2^20. */
const MAX_N = 2 ** 20;

export interface PasswordHashing {
  /** log2 of scrypt's N for new hashes (OWASP: 17). */
  cost: number;
  /** scrypt computations at once (each holds a libuv worker thread). */
  concurrency: number;
  /** Computations that may wait for a slot; more are refused (429) instead of queueing without end. */
  queue: number;
}

let settings: PasswordHashing = { cost: 17, concurrency: 2, queue: 64 };
let running = 0;
const waiting: Array<() => void> = [];

/** Set once at start-up from config `auth`. */
export function configurePasswordHashing(next: PasswordHashing): void {
  settings = next;
  dummyHash = undefined;
}

/** 128 × N × r bytes, plus slack: scrypt refuses to run above maxmem. */
const maxmemFor = (n: number) => 128 * n * R * 2;

async function withScryptSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= settings.concurrency) {
    if (waiting.length >= settings.queue) {
      throw tooManyRequests('The server is busy checking passwords: try again in a moment', 1);
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    running += 1;
  }
  try {
    return await work();
  } finally {
    // The slot passes straight to the next in line (running stays the same), else it is freed.
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  }
}

export async function hashPassword(password: string): Promise<string> {
  const n = 2 ** settings.cost;
  const salt = randomBytes(16);
  const key = await withScryptSlot(() => scryptAsync(password, salt, KEY_LENGTH, { N: n, r: R, p: P, maxmem: maxmemFor(n) }));
  return `scrypt$${n}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface ParsedHash { n: number; r: number; p: number; salt: Buffer; key: Buffer }

function parseHash(stored: string): ParsedHash | undefined {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  const parsed = { n: Number(n), r: Number(r), p: Number(p), salt: Buffer.from(salt ?? '', 'base64'), key: Buffer.from(key ?? '', 'base64') };
  // Bounds so that a tampered row cannot ask for gigabytes.
  if (scheme !== 'scrypt' || !Number.isInteger(parsed.n) || parsed.n < 2 || parsed.n > MAX_N || parsed.r !== R || parsed.p !== P ||
      parsed.salt.length === 0 || parsed.key.length === 0) return undefined;
  return parsed;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const hash = parseHash(stored);
  if (!hash) return false;
  const actual = await withScryptSlot(() =>
    scryptAsync(password, hash.salt, hash.key.length, { N: hash.n, r: hash.r, p: hash.p, maxmem: maxmemFor(hash.n) }));
  return timingSafeEqual(actual, hash.key);
}

/**
 * True when the hash was made with other parameters than today's: re-hash it at the next successful
 * login. Weaker ones are upgraded; stronger ones too are brought to today's cost, so that every
 * account (and the dummy check of unknown usernames) costs the same time.
 */
export function needsRehash(stored: string): boolean {
  const hash = parseHash(stored);
  return !hash || hash.n !== 2 ** settings.cost;
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends one scrypt at today's cost for a login whose user does not exist, so that the answer takes
 * as long as for a real account and a timing probe cannot tell which usernames exist.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(password, await dummyHash);
  return false;
}

export function generatePassword(): string {
  return randomBytes(12).toString('base64url');
}
