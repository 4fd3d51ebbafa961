// Passwords of password-protected videos (PeerTube's privacy 5), scrypt-hashed at rest, and the
// rule that such a video always keeps at least one.
import type pg from 'pg';
import { videoPasswords, withTransaction, VideoPrivacy } from '../../db/index.ts';
import { hashPassword } from '../auth/password.ts';
import { DomainError, invalidInput } from '../errors.ts';

/** PeerTube's VIDEO_PASSWORD length: anything longer cannot match, and is not worth an scrypt. */
export const VIDEO_PASSWORD_LENGTH = { min: 2, max: 100 } as const;
export const MAX_VIDEO_PASSWORDS = 100;

/** Checks a new password list (PeerTube's rules: 2 to 100 characters, no duplicates) and hashes it. */
export async function hashVideoPasswords(passwords: string[]): Promise<string[]> {
  if (new Set(passwords).size !== passwords.length) throw invalidInput('The video passwords must be different from each other');
  for (const password of passwords) {
    if (password.length < VIDEO_PASSWORD_LENGTH.min || password.length > VIDEO_PASSWORD_LENGTH.max) {
      throw invalidInput(`A video password has ${VIDEO_PASSWORD_LENGTH.min} to ${VIDEO_PASSWORD_LENGTH.max} characters`);
    }
  }
  return Promise.all(passwords.map((password) => hashPassword(password)));
}

/**
 * The rule: a video (or the replay a live will become) whose privacy is 5 has at least one password.
 * `privacies` are those the video will have once the change is made; `passwordCount` how many it will keep.
 */
export function assertPasswordsFor(privacies: Array<number | null | undefined>, passwordCount: number): void {
  if (passwordCount > 0 || !privacies.includes(VideoPrivacy.PASSWORD_PROTECTED)) return;
  throw new DomainError('video_password_required', 'A password-protected video (privacy 5) needs at least one password (videoPasswords)');
}

/** Replaces a video's passwords in one transaction. */
export async function replaceVideoPasswords(pool: pg.Pool, videoId: number, hashes: string[]): Promise<void> {
  await withTransaction(pool, (client) => videoPasswords.replaceVideoPasswords(client, videoId, hashes));
}
