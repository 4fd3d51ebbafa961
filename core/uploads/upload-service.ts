// What every upload path (tus, PeerTube multipart, PeerTube resumable) shares: the checks made
// before any byte is accepted, the quota reservation of an unfinished upload, and turning a complete
// file into a video with a transcoding job.
// Quota: an unfinished upload reserves its declared size when it is created, under its owner's row
// lock, so parallel uploads cannot together exceed the quota; completing it replaces the reservation
// by the video's real size in one transaction. Reservations expire (uploads.unfinishedExpirySeconds):
// sweepExpired deletes them with their partial files.
import { mkdirSync, renameSync, statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type pg from 'pg';
import { toShortUuid, uploads, withTransaction, videoPasswords, videos, VideoPrivacy, VideoState, type UserRow, type VideoRow } from '../../db/index.ts';
import type { JobQueue } from '../../jobs/index.ts';
import { DomainError } from '../errors.ts';
import { VOD_TRANSCODE_QUEUE, type VodTranscodeJob } from '../vod/transcode-job.ts';
import { assertPasswordsFor, hashVideoPasswords } from '../videos/passwords.ts';
import { assertFileSize, assertReplaceable, assertWithinQuota, parseUploadMetadata, type UploadMetadata } from './upload-rules.ts';
import { assertCanPublishOn } from '../videos/channels.ts';
import { sweepUploadFolders } from './sweep.ts';

/** The checked metadata of an upload that is kept until it completes: its passwords only hashed. */
export type SealedMetadata = Omit<UploadMetadata, 'videoPasswords'>;

/** A new unfinished upload: its declared size is reserved in `quotaUserId`'s quota. */
export interface NewUpload {
  uploadId: string;
  /** Its folder under data/uploads (tus, resumable, replace): where the sweep finds its files. */
  folder: string;
  /** Whose upload it is: only they reach it (tus); whose quota holds its size. */
  userId: number;
  sizeBytes: number;
  /** Bytes already counted that this upload will free (a replaced source's old original). */
  creditBytes?: number;
  /** Kept with the reservation (tus, whose own metadata is shown by HEAD and kept in its state files). */
  metadata?: SealedMetadata;
}

export interface PendingUpload { userId: number; metadata?: SealedMetadata }

export interface UploadedVideo { id: number; uuid: string; shortUUID: string }

export interface UploadLimits { maxFileSizeBytes: number; userQuotaBytes: number; unfinishedExpirySeconds: number }

export interface UploadService {
  readonly uploadsDir: string;
  readonly limits: UploadLimits;
  /** Parses and checks the metadata of a new upload (fields as strings or numbers). */
  parseMetadata(fields: Record<string, unknown>): UploadMetadata;
  /** Checks and hashes the passwords of an upload's metadata, before it is kept anywhere. */
  sealMetadata(metadata: UploadMetadata): Promise<SealedMetadata>;
  /** Refuses (403/413) an upload the user may not make, before its body is read. */
  checkAllowed(user: UserRow, metadata: UploadMetadata, sizeBytes: number | undefined): Promise<void>;
  /** Reserves the declared size of a new unfinished upload, atomically (403 quota_reached when it does not fit). */
  reserve(upload: NewUpload): Promise<void>;
  /** The owner (and kept metadata) of an unfinished upload that has not expired. */
  pending(uploadId: string): Promise<PendingUpload | undefined>;
  /** An unfinished upload is cancelled: its reservation goes (its files are the caller's). */
  release(uploadId: string): Promise<void>;
  /** Deletes expired unfinished uploads (reservation, partial file, state) and stray partial files. */
  sweepExpired(): Promise<number>;
  /**
   * Moves the complete file under originals/ and creates its video, queued for transcoding; the
   * upload's reservation (`uploadId`; none for a multipart upload) is replaced by the real size.
   */
  createVideo(user: UserRow, metadata: UploadMetadata | SealedMetadata, file: string, uploadId?: string): Promise<UploadedVideo>;
  /** Refuses (400/409/413/403) a re-upload of this video's source, before its body is read. */
  checkReplaceAllowed(video: VideoRow, sizeBytes: number | undefined): Promise<void>;
  /**
   * Moves the complete file under originals/ and queues the transcode of this new source into a new
   * folder; the video keeps playing its current media until the new one is ready.
   */
  replaceSource(video: VideoRow, filename: string, file: string, uploadId?: string): Promise<void>;
}

export function createUploadService(options: {
  pool: pg.Pool; jobs: JobQueue; dataDir: string; limits: UploadLimits; allowedPrivacies: () => number[];
}): UploadService {
  const { pool, limits } = options;
  // An original is named by our ids only, never with the client's extension: nothing may pick a
  // demuxer (an .m3u8 playlist, an image pattern…) from a name the uploader chose. The client's
  // filename stays metadata, for display.
  const keepOriginal = (file: string, name: string) => {
    const original = join(originals, name);
    renameSync(file, original);
    return original;
  };
  const uploadsDir = join(options.dataDir, 'uploads');
  const originals = join(uploadsDir, 'originals');
  mkdirSync(originals, { recursive: true });

  /**
   * Runs `work` in a transaction holding `userId`'s quota lock, after taking the reservation of
   * `uploadId` (404 when it expired meanwhile) and checking that `sizeBytes` (less `creditBytes`) fits.
   */
  const withinQuota = async <T>(userId: number, uploadId: string | undefined, sizeBytes: number, creditBytes: number,
    work: (client: pg.PoolClient) => Promise<T>): Promise<T> => withTransaction(pool, async (client) => {
    await uploads.lockUserQuota(client, userId);
    if (uploadId !== undefined && !await uploads.deleteReservation(client, uploadId)) {
      throw new DomainError('not_found', 'Upload not found (it expired)');
    }
    if (limits.userQuotaBytes >= 0) assertWithinQuota({ usedBytes: await uploads.usedQuotaBytes(client, userId), creditBytes, sizeBytes }, limits);
    return work(client);
  });

  return {
    uploadsDir,
    limits,
    parseMetadata: (fields) => parseUploadMetadata(fields, options.allowedPrivacies()),
    async sealMetadata(metadata) {
      const { videoPasswords: passwords, ...sealed } = metadata;
      if (metadata.privacy !== VideoPrivacy.PASSWORD_PROTECTED) return sealed;
      // Checked (lengths, duplicates) and hashed before anything is kept.
      const passwordHashes = metadata.passwordHashes ?? await hashVideoPasswords(passwords ?? []);
      assertPasswordsFor([metadata.privacy], passwordHashes.length);
      return { ...sealed, passwordHashes };
    },
    async checkAllowed(user, metadata, sizeBytes) {
      await assertCanPublishOn(pool, user, metadata.channelId);
      if (sizeBytes === undefined) return;
      assertFileSize(sizeBytes, limits);
      // An early answer only: reserve() decides, atomically.
      if (limits.userQuotaBytes >= 0) assertWithinQuota({ usedBytes: await uploads.usedQuotaBytes(pool, user.id), sizeBytes }, limits);
    },
    async reserve(upload) {
      assertFileSize(upload.sizeBytes, limits);
      await withinQuota(upload.userId, undefined, upload.sizeBytes, upload.creditBytes ?? 0, (client) => uploads.insertReservation(client, {
        uploadId: upload.uploadId, userId: upload.userId, folder: upload.folder, sizeBytes: upload.sizeBytes,
        expiresInSeconds: limits.unfinishedExpirySeconds, metadata: upload.metadata,
      }));
    },
    async pending(uploadId) {
      const row = await uploads.findReservation(pool, uploadId);
      return row && { userId: row.user_id, metadata: (row.metadata ?? undefined) as SealedMetadata | undefined };
    },
    async release(uploadId) {
      await uploads.deleteReservation(pool, uploadId);
    },
    async sweepExpired() {
      return sweepUploadFolders(pool, uploadsDir, limits.unfinishedExpirySeconds);
    },
    async createVideo(user, metadata, file, uploadId) {
      const size = statSync(file).size;
      assertFileSize(size, limits);
      await assertCanPublishOn(pool, user, metadata.channelId);
      const { passwordHashes = [] } = await this.sealMetadata(metadata as UploadMetadata);
      const uuid = randomUUID();
      const id = await withinQuota(user.id, uploadId, size, 0, async (client) => {
        const id = await videos.insertVideo(client, {
          uuid, channelId: metadata.channelId, name: metadata.name, description: metadata.description,
          privacy: metadata.privacy, state: VideoState.TO_TRANSCODE, isLive: false,
        });
        await videoPasswords.replaceVideoPasswords(client, id, passwordHashes);
        await uploads.setUploadSize(client, id, size);
        // Last: a refusal above leaves the file where it was, for its caller to delete.
        keepOriginal(file, uuid);
        return id;
      });
      await options.jobs.enqueue<VodTranscodeJob>(VOD_TRANSCODE_QUEUE, { videoId: id, source: join(originals, uuid) });
      return { id, uuid, shortUUID: toShortUuid(uuid) };
    },
    async checkReplaceAllowed(video, sizeBytes) {
      assertReplaceable(video);
      if (sizeBytes === undefined) return;
      assertFileSize(sizeBytes, limits);
      // The new original takes the place of the old one in the owner's quota (an early answer: reserve() decides).
      if (limits.userQuotaBytes < 0) return;
      assertWithinQuota({ usedBytes: await uploads.usedQuotaBytes(pool, video.owner_user_id), creditBytes: Number(video.size_bytes ?? 0), sizeBytes }, limits);
    },
    async replaceSource(video, _filename, file, uploadId) {
      const size = statSync(file).size;
      await this.checkReplaceAllowed(video, undefined);
      assertFileSize(size, limits);
      const name = `${video.uuid}-${randomUUID()}`;
      await withinQuota(video.owner_user_id, uploadId, size, Number(video.size_bytes ?? 0), async (client) => {
        await uploads.startReplacement(client, video.id, size);
        keepOriginal(file, name);
      });
      await options.jobs.enqueue<VodTranscodeJob>(VOD_TRANSCODE_QUEUE, { videoId: video.id, source: join(originals, name), replace: true });
    },
  };
}
