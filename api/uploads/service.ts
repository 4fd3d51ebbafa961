// What every upload path (tus, PeerTube multipart, PeerTube resumable) shares: the checks made
// before any byte is accepted, and turning a complete file into a video with a transcoding job.
import { mkdirSync, renameSync, statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { extname, join } from 'node:path';
import type pg from 'pg';
import { toShortUuid, uploads, users, videos, UserRole, VideoPrivacy, VideoState, type UserRow } from '../../db/index.ts';
import type { JobQueue } from '../../jobs/index.ts';
import { HttpError } from '../errors.ts';
import { VOD_TRANSCODE_QUEUE, type VodTranscodeJob } from './transcode-job.ts';

export interface UploadMetadata {
  channelId: number;
  name: string;
  description: string;
  privacy: number;
  filename: string;
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
}

const MAX_NAME = 120;

function tooLarge(max: number): HttpError {
  return new HttpError(413, 'max_file_size_reached', `The file is larger than the ${max} bytes allowed`);
}

export function createUploadService(options: {
  pool: pg.Pool; jobs: JobQueue; dataDir: string; limits: UploadLimits; allowedPrivacies: () => number[];
}): UploadService {
  const { pool, limits } = options;
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
      if (privacy === VideoPrivacy.PASSWORD_PROTECTED) {
        throw new HttpError(400, 'unsupported_privacy', 'Password-protected uploads are not available yet: upload as private');
      }
      if (!options.allowedPrivacies().includes(privacy)) throw new HttpError(400, 'unsupported_privacy', `privacy ${privacy} is not available`);
      return { channelId, name, description: (text('description') ?? '').slice(0, 10000), privacy, filename };
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
      const uuid = randomUUID();
      const original = join(originals, `${uuid}${extname(metadata.filename).toLowerCase().replace(/[^.a-z0-9]/g, '').slice(0, 8)}`);
      renameSync(file, original);
      const id = await videos.insertVideo(pool, {
        uuid, channelId: metadata.channelId, name: metadata.name, description: metadata.description,
        privacy: metadata.privacy, state: VideoState.TO_TRANSCODE, isLive: false,
      });
      await uploads.setUploadSize(pool, id, size);
      await options.jobs.enqueue<VodTranscodeJob>(VOD_TRANSCODE_QUEUE, { videoId: id, source: original });
      return { id, uuid, shortUUID: toShortUuid(uuid) };
    },
  };
}
