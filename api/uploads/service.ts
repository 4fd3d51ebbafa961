// What every upload path (tus, PeerTube multipart, PeerTube resumable) shares: the checks made
// before any byte is accepted, and turning a complete file into a video with a transcoding job.
import { mkdirSync, renameSync, statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { extname, join } from 'node:path';
import type pg from 'pg';
import { toShortUuid, uploads, users, videos, UserRole, VideoPrivacy, VideoState, type UserRow, type VideoRow } from '../../db/index.ts';
import type { JobQueue } from '../../jobs/index.ts';
import { HttpError } from '../errors.ts';
import { VOD_TRANSCODE_QUEUE, type VodTranscodeJob } from './transcode-job.ts';
import { hashVideoPasswords, missingPasswords, replaceVideoPasswords } from '../routes/video-passwords.ts';

export interface UploadMetadata {
  channelId: number;
  name: string;
  description: string;
  privacy: number;
  filename: string;
  /** Privacy 5: the video's passwords (PeerTube's upload field videoPasswords), hashed by createVideo. */
  videoPasswords?: string[];
}

export interface UploadedVideo { id: number; uuid: string; shortUUID: string }

export interface UploadLimits { maxFileSizeBytes: number; userQuotaBytes: number }

export interface UploadService {
  readonly uploadsDir: string;
  readonly limits: UploadLimits;
  /** Parses and checks the metadata of a new upload (fields as strings or numbers). */
  parseMetadata(fields: Record<string, unknown>): UploadMetadata;
  /** Refuses (403/413) an upload the user may not make, before its body is read. */
  checkAllowed(user: UserRow, metadata: UploadMetadata, sizeBytes: number | undefined): Promise<void>;
  /** Moves the complete file under originals/ and creates its video, queued for transcoding. */
  createVideo(user: UserRow, metadata: UploadMetadata, file: string): Promise<UploadedVideo>;
  /** Refuses (400/409/413/403) a re-upload of this video's source, before its body is read. */
  checkReplaceAllowed(video: VideoRow, sizeBytes: number | undefined): Promise<void>;
  /**
   * Moves the complete file under originals/ and queues the transcode of this new source into a new
   * folder; the video keeps playing its current media until the new one is ready.
   */
  replaceSource(video: VideoRow, filename: string, file: string): Promise<void>;
}

const MAX_NAME = 120;

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

function tooLarge(max: number): HttpError {
  return new HttpError(413, 'max_file_size_reached', `The file is larger than the ${max} bytes allowed`);
}

export function createUploadService(options: {
  pool: pg.Pool; jobs: JobQueue; dataDir: string; limits: UploadLimits; allowedPrivacies: () => number[];
}): UploadService {
  const { pool, limits } = options;
  const keepOriginal = (file: string, name: string, filename: string) => {
    const original = join(originals, `${name}${extname(filename).toLowerCase().replace(/[^.a-z0-9]/g, '').slice(0, 8)}`);
    renameSync(file, original);
    return original;
  };
  const uploadsDir = join(options.dataDir, 'uploads');
  const originals = join(uploadsDir, 'originals');
  mkdirSync(originals, { recursive: true });
  return {
    uploadsDir,
    limits,
    parseMetadata(fields) {
      const text = (key: string) => (fields[key] === undefined || fields[key] === null ? undefined : String(fields[key]).trim());
      const channelId = Number(text('channelId'));
      if (!Number.isInteger(channelId) || channelId <= 0) throw new HttpError(400, 'invalid_input', 'channelId is required');
      const filename = text('filename') ?? 'video';
      const name = text('name') || filename.replace(/\.[^.]*$/, '');
      if (name.length < 3 || name.length > MAX_NAME) throw new HttpError(400, 'invalid_input', `name must be 3 to ${MAX_NAME} characters`);
      const privacy = text('privacy') ? Number(text('privacy')) : VideoPrivacy.PUBLIC;
      if (!options.allowedPrivacies().includes(privacy)) throw new HttpError(400, 'unsupported_privacy', `privacy ${privacy} is not available`);
      const videoPasswords = privacy === VideoPrivacy.PASSWORD_PROTECTED ? passwordsOf(fields) : undefined;
      if (videoPasswords?.length === 0) throw missingPasswords();
      return {
        channelId, name, description: (text('description') ?? '').slice(0, 10000), privacy, filename,
        ...(videoPasswords ? { videoPasswords } : {}),
      };
    },
    async checkAllowed(user, metadata, sizeBytes) {
      if (user.role !== UserRole.ADMINISTRATOR && !await users.channelBelongsToUser(pool, metadata.channelId, user.id)) {
        throw new HttpError(403, 'forbidden', 'You cannot publish on this channel');
      }
      if (sizeBytes === undefined) return;
      if (sizeBytes > limits.maxFileSizeBytes) throw tooLarge(limits.maxFileSizeBytes);
      if (limits.userQuotaBytes >= 0 && await uploads.usedQuotaBytes(pool, user.id) + sizeBytes > limits.userQuotaBytes) {
        throw new HttpError(403, 'quota_reached', 'The user video quota is exceeded with this video');
      }
    },
    async createVideo(user, metadata, file) {
      const size = statSync(file).size;
      if (size > limits.maxFileSizeBytes) throw tooLarge(limits.maxFileSizeBytes);
      await this.checkAllowed(user, metadata, size);
      // Checked (lengths, duplicates) and hashed before anything is kept.
      const passwordHashes = metadata.privacy === VideoPrivacy.PASSWORD_PROTECTED
        ? await hashVideoPasswords(metadata.videoPasswords ?? []) : [];
      if (metadata.privacy === VideoPrivacy.PASSWORD_PROTECTED && passwordHashes.length === 0) throw missingPasswords();
      const uuid = randomUUID();
      const original = keepOriginal(file, uuid, metadata.filename);
      const id = await videos.insertVideo(pool, {
        uuid, channelId: metadata.channelId, name: metadata.name, description: metadata.description,
        privacy: metadata.privacy, state: VideoState.TO_TRANSCODE, isLive: false,
      });
      if (passwordHashes.length) await replaceVideoPasswords(pool, id, passwordHashes);
      await uploads.setUploadSize(pool, id, size);
      await options.jobs.enqueue<VodTranscodeJob>(VOD_TRANSCODE_QUEUE, { videoId: id, source: original });
      return { id, uuid, shortUUID: toShortUuid(uuid) };
    },
    async checkReplaceAllowed(video, sizeBytes) {
      if (video.is_live) throw new HttpError(400, 'video_is_live', 'A live has no source to replace');
      if (video.state !== VideoState.PUBLISHED || !video.hls_path) {
        throw new HttpError(409, 'video_not_replaceable', 'Only a published on-demand video can have its source replaced');
      }
      if (sizeBytes === undefined) return;
      if (sizeBytes > limits.maxFileSizeBytes) throw tooLarge(limits.maxFileSizeBytes);
      // The new original takes the place of the old one in the owner's quota.
      const used = await uploads.usedQuotaBytes(pool, video.owner_user_id) - Number(video.size_bytes ?? 0);
      if (limits.userQuotaBytes >= 0 && used + sizeBytes > limits.userQuotaBytes) {
        throw new HttpError(403, 'quota_reached', 'The user video quota is exceeded with this video');
      }
    },
    async replaceSource(video, filename, file) {
      const size = statSync(file).size;
      await this.checkReplaceAllowed(video, size);
      const original = keepOriginal(file, `${video.uuid}-${randomUUID()}`, filename);
      await uploads.startReplacement(pool, video.id, size);
      await options.jobs.enqueue<VodTranscodeJob>(VOD_TRANSCODE_QUEUE, { videoId: video.id, source: original, replace: true });
    },
  };
}
