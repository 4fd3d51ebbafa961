// The rules an upload must meet, decided without the database: its metadata (channel, name,
// privacy, the passwords of privacy 5), its size, the owner's quota, and which videos can have their
// source replaced. core/uploads/upload-service.ts applies them; test/unit/upload-rules.test.ts checks them.
import { VideoPrivacy, VideoState, type VideoRow } from '../../db/index.ts';
import { DomainError, invalidInput } from '../errors.ts';
import { assertPasswordsFor } from '../videos/passwords.ts';

export interface UploadMetadata {
  channelId: number;
  name: string;
  description: string;
  privacy: number;
  filename: string;
  /** Privacy 5: the video's passwords (PeerTube's upload field videoPasswords), in clear: never written anywhere. */
  videoPasswords?: string[];
  /** The same, hashed by sealMetadata: the only form an unfinished upload keeps (state file, database). */
  passwordHashes?: string[];
}

const MAX_NAME = 120;
const MAX_DESCRIPTION = 10000;

/**
 * The passwords of a privacy-5 upload: `videoPasswords` as an array (JSON body of a resumable
 * upload) or a single string (a tus metadata value, a multipart field), or the multipart fields
 * `videoPasswords[]` / `videoPasswords[0]`, `videoPasswords[1]`… (PeerTube's client form data).
 */
function passwordsOf(fields: Record<string, unknown>): string[] {
  const passwords: string[] = [];
  const add = (value: unknown) => {
    if (Array.isArray(value)) for (const item of value) add(item);
    else if (typeof value === 'string' || typeof value === 'number') passwords.push(String(value));
  };
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'videoPasswords' || /^videoPasswords\[\d*\]$/.test(key)) add(value);
  }
  return passwords.filter((password) => password !== '');
}

function tooLarge(max: number): DomainError {
  return new DomainError('max_file_size_reached', `The file is larger than the ${max} bytes allowed`);
}

function quotaReached(): DomainError {
  return new DomainError('quota_reached', 'The user video quota is exceeded with this video');
}


/** Parses and checks the metadata of a new upload (fields as strings or numbers: form fields, tus metadata, JSON). */
export function parseUploadMetadata(fields: Record<string, unknown>, allowedPrivacies: number[]): UploadMetadata {
  const text = (key: string) => (fields[key] === undefined || fields[key] === null ? undefined : String(fields[key]).trim());
  const channelId = Number(text('channelId'));
  if (!Number.isInteger(channelId) || channelId <= 0) throw invalidInput('channelId is required');
  const filename = text('filename') ?? 'video';
  const name = text('name') || filename.replace(/\.[^.]*$/, '');
  if (name.length < 3 || name.length > MAX_NAME) throw invalidInput(`name must be 3 to ${MAX_NAME} characters`);
  const privacy = text('privacy') ? Number(text('privacy')) : VideoPrivacy.PUBLIC;
  if (!allowedPrivacies.includes(privacy)) throw new DomainError('unsupported_privacy', `privacy ${privacy} is not available`);
  const videoPasswords = privacy === VideoPrivacy.PASSWORD_PROTECTED ? passwordsOf(fields) : undefined;
  if (videoPasswords) assertPasswordsFor([privacy], videoPasswords.length);
  return {
    channelId, name, description: (text('description') ?? '').slice(0, MAX_DESCRIPTION), privacy, filename,
    ...(videoPasswords ? { videoPasswords } : {}),
  };
}

export function assertFileSize(sizeBytes: number, limits: { maxFileSizeBytes: number }): void {
  if (sizeBytes > limits.maxFileSizeBytes) throw tooLarge(limits.maxFileSizeBytes);
}

/**
 * The owner's quota (userQuotaBytes, -1: none) holds what they use, less what this upload frees
 * (`creditBytes`: the original a re-upload replaces), plus this upload.
 */
export function assertWithinQuota(use: { usedBytes: number; creditBytes?: number; sizeBytes: number }, limits: { userQuotaBytes: number }): void {
  if (limits.userQuotaBytes < 0) return;
  if (use.usedBytes - (use.creditBytes ?? 0) + use.sizeBytes > limits.userQuotaBytes) throw quotaReached();
}

/** Only a published on-demand video has a source to replace: not a live, not one still transcoding. */
export function assertReplaceable(video: Pick<VideoRow, 'is_live' | 'state' | 'hls_path'>): void {
  if (video.is_live) throw new DomainError('video_is_live', 'A live has no source to replace');
  if (video.state !== VideoState.PUBLISHED || !video.hls_path) {
    throw new DomainError('video_not_replaceable', 'Only a published on-demand video can have its source replaced');
  }
}
