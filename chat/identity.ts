// Who is speaking: the key that rate limits, slow mode and bans hold on to, the nick shown, and a
// colour that stays the same for the same person across reloads and rooms.
import { createHash, createHmac } from 'node:crypto';

const ADJECTIVES = ['Brisk', 'Calm', 'Clever', 'Cosy', 'Eager', 'Gentle', 'Happy', 'Jolly', 'Keen', 'Lucky', 'Merry',
  'Nimble', 'Quiet', 'Rapid', 'Sunny', 'Swift', 'Witty', 'Bold', 'Bright', 'Curious'];
const ANIMALS = ['Otter', 'Falcon', 'Panda', 'Lynx', 'Heron', 'Badger', 'Fox', 'Koala', 'Marten', 'Owl', 'Puffin',
  'Raven', 'Seal', 'Tiger', 'Wombat', 'Yak', 'Zebra', 'Gecko', 'Ibis', 'Jaguar'];

const digest = (text: string) => createHash('sha256').update(text).digest();

/** A readable nick for an anonymous viewer, the same for the same seed. */
export function anonymousNick(seed: string): string {
  const bytes = digest(`nick:${seed}`);
  return `${ADJECTIVES[bytes[0] % ADJECTIVES.length]}${ANIMALS[bytes[1] % ANIMALS.length]}${bytes.readUInt16BE(2) % 100}`;
}

/** A colour readable on light and dark backgrounds, the same for the same identity key. */
export function colorOf(key: string): string {
  const bytes = digest(`color:${key}`);
  return `hsl(${bytes.readUInt16BE(0) % 360} 65% 48%)`;
}

/** Salted, so the stored hash cannot be reversed to the address by trying all IPv4 addresses. */
export function ipHash(salt: Buffer, ip: string): string {
  return createHmac('sha256', salt).update(ip).digest('base64url').slice(0, 22);
}

export function anonymousKey(anonId: string): string {
  return `n:${digest(`anon:${anonId}`).toString('base64url').slice(0, 22)}`;
}

export const ANON_ID = /^[A-Za-z0-9_-]{16,64}$/;
