// Stream keys at rest: a publisher is found by the SHA-256 of the key it sends (a leaked database
// holds no usable key), while the owner can still read theirs (PeerTube's GET /videos/live/{id}
// answers streamKey to the owner) from an AES-256-GCM ciphertext whose key is a server secret
// (server_secrets 'stream-key-encryption', never in the same column or row).
import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { lives, serverSecrets } from '../../db/index.ts';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface StreamKeyVault {
  /** What the lookup compares: hex SHA-256 of the key as OBS sends it (lower-cased uuid). */
  lookupHash(streamKey: string): string;
  seal(streamKey: string): Buffer;
  open(sealed: Buffer): string;
  /** A fresh key with its hash and ciphertext, ready to store. */
  generate(): { streamKey: string; hash: string; sealed: Buffer };
}

export function streamKeyVault(secret: Buffer): StreamKeyVault {
  const vault: StreamKeyVault = {
    lookupHash: (streamKey) => createHash('sha256').update(streamKey.toLowerCase()).digest('hex'),
    seal(streamKey) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', secret, iv);
      const body = Buffer.concat([cipher.update(streamKey, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    open(sealed) {
      const decipher = createDecipheriv('aes-256-gcm', secret, sealed.subarray(0, IV_BYTES));
      decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    },
    generate() {
      const streamKey = randomUUID();
      return { streamKey, hash: vault.lookupHash(streamKey), sealed: vault.seal(streamKey) };
    },
  };
  return vault;
}

/** The instance's vault; on first use after migration 010, the keys still in clear are sealed and erased. */
export async function openStreamKeyVault(pool: pg.Pool): Promise<StreamKeyVault> {
  const vault = streamKeyVault(await serverSecrets.getOrCreateSecret(pool, 'stream-key-encryption', () => randomBytes(32)));
  await lives.sealClearStreamKeys(pool, (streamKey) => vault.seal(streamKey));
  return vault;
}
