// PeerTube's short UUIDs: the uuid's 128 bits in Flickr's base58 alphabet.
const ALPHABET = '123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';
const BASE = BigInt(ALPHABET.length);

export function toShortUuid(uuid: string): string {
  let value = BigInt(`0x${uuid.replaceAll('-', '')}`);
  let out = '';
  while (value > 0n) {
    out = ALPHABET[Number(value % BASE)] + out;
    value /= BASE;
  }
  return out || ALPHABET[0];
}

export function fromShortUuid(short: string): string | undefined {
  let value = 0n;
  for (const char of short) {
    const digit = ALPHABET.indexOf(char);
    if (digit < 0) return undefined;
    value = value * BASE + BigInt(digit);
  }
  if (value >= 1n << 128n) return undefined;
  const hex = value.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A video reference as PeerTube accepts it: numeric id, uuid, or short uuid. */
export type VideoRef = { id: number } | { uuid: string };

export function parseVideoRef(ref: string): VideoRef | undefined {
  if (/^\d{1,9}$/.test(ref)) return { id: Number(ref) };
  if (UUID_PATTERN.test(ref)) return { uuid: ref.toLowerCase() };
  if (/^[1-9a-zA-Z]{10,24}$/.test(ref)) {
    const uuid = fromShortUuid(ref);
    return uuid ? { uuid } : undefined;
  }
  return undefined;
}
