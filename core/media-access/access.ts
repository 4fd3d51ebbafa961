// Decides who may see a video and fetch its media (playlists, segments, thumbnail), PeerTube's rules:
// public and unlisted: anyone; internal: any logged-in user of this instance; private: the owner and
// admins; password-protected: anyone with one of its passwords (owner and admins without). Media
// requests are many and frequent, so each video's privacy is cached briefly instead of read from
// Postgres each time, and a password once checked (scrypt is slow on purpose) is remembered a while.
// Routes call forget() whenever a video's privacy or passwords change.
// Password guesses are throttled per client and per video before any scrypt (auth/guess-limiter.ts),
// and unlisted videos are found by their uuid only: asked for by numeric id, they are not found.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { videoPasswords, videos, VideoPrivacy, type UserRow, type VideoRow } from '../../db/index.ts';
import { isOwnerOrAdmin } from '../users/roles.ts';
import { verifyPassword } from '../auth/password.ts';
import { GuessLimiter, type GuessRule } from '../auth/guess-limiter.ts';
import { DomainError } from '../errors.ts';
import { VIDEO_PASSWORD_LENGTH } from '../videos/passwords.ts';
import { databaseFileTokens, type FileTokens } from './file-tokens.ts';

const CACHE_MS = 5000;
const PASSWORD_CACHE_MS = 60_000;
const MAX_CACHED = 10_000;
/** PeerTube's header for the password of a password-protected video. */
const VIDEO_PASSWORD_HEADER = 'x-peertube-video-password';

export interface VideoAccessInfo { id: number; uuid: string; privacy: number; ownerUserId: number }

/** What the access check needs of a video row. */
export function accessInfoOf(row: Pick<VideoRow, 'id' | 'uuid' | 'privacy' | 'owner_user_id'>): VideoAccessInfo {
  return { id: row.id, uuid: row.uuid, privacy: row.privacy, ownerUserId: row.owner_user_id };
}

/** Who asks: the bearer's user, and the video password they sent, if any. */
export interface Viewer {
  user: UserRow | undefined;
  password: string | undefined;
  /** The client's address (or a stable stand-in such as its salted hash): password guesses are counted per client. */
  client?: string;
  /** The video was named by its numeric id, which anyone can count through: unlisted videos are not found that way. */
  byNumericId?: boolean;
}

/** Why a viewer may not see a video; the codes are PeerTube's where it has one. */
export interface AccessDenial {
  status: 401 | 403 | 404 | 429;
  code: 'unauthorized' | 'forbidden' | 'video_requires_password' | 'incorrect_video_password' | 'not_found' | 'too_many_requests';
  message: string;
  /** With too_many_requests: when to try again. */
  retryAfterSeconds?: number;
}

/** config `auth`: how many failed password guesses, per client and per video, in which window. */
export interface PasswordGuessLimits { videoPasswordFailuresPerIp: number; videoPasswordFailuresPerVideo: number; guessWindowSeconds: number }
const DEFAULT_GUESS_LIMITS: PasswordGuessLimits = { videoPasswordFailuresPerIp: 10, videoPasswordFailuresPerVideo: 100, guessWindowSeconds: 900 };

export interface MediaAccess {
  /** True when anyone may fetch this video's media; false when it needs authorisation. */
  isOpenToAnyone(videoUuid: string): Promise<boolean | undefined>;
  /** The video's privacy and owner (cached), undefined when there is no such video. */
  infoOf(videoUuid: string): Promise<VideoAccessInfo | undefined>;
  /** Undefined when the viewer may see the video, else why not. */
  check(video: VideoAccessInfo, viewer: Viewer): Promise<AccessDenial | undefined>;
  fileTokens: FileTokens;
  forget(videoUuid: string): void;
}

export function isOpenPrivacy(privacy: number): boolean {
  // Unlisted is protected by its unguessable URL only, as on PeerTube.
  return privacy === VideoPrivacy.PUBLIC || privacy === VideoPrivacy.UNLISTED;
}

/** Unlisted videos are protected by their unguessable uuid: by numeric id only their owner and admins find them. */
function hiddenByNumericId(video: VideoAccessInfo, viewer: Viewer): boolean {
  return viewer.byNumericId === true && video.privacy === VideoPrivacy.UNLISTED && !isOwnerOrAdmin(viewer.user, video.ownerUserId);
}

const NOT_FOUND: AccessDenial = { status: 404, code: 'not_found', message: 'Video not found' };
const tooMany = (retryAfterSeconds: number): AccessDenial => ({
  status: 429, code: 'too_many_requests', retryAfterSeconds,
  message: `Too many wrong video passwords: try again in ${retryAfterSeconds} s`,
});

export function videoPasswordOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const value = headers[VIDEO_PASSWORD_HEADER];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function createMediaAccess(pool: pg.Pool, limits: PasswordGuessLimits = DEFAULT_GUESS_LIMITS,
  fileTokens: FileTokens = databaseFileTokens(pool)): MediaAccess {
  const perClient: GuessRule = { prefix: 'video-password-client', maxFailures: limits.videoPasswordFailuresPerIp, windowSeconds: limits.guessWindowSeconds };
  const perVideo: GuessRule = { prefix: 'video-password-video', maxFailures: limits.videoPasswordFailuresPerVideo, windowSeconds: limits.guessWindowSeconds };
  const guesses = new GuessLimiter();
  const cache = new Map<string, { info: VideoAccessInfo | undefined; until: number }>();
  const passwordChecks = new Map<string, { result: Promise<boolean>; until: number; right?: boolean }>();

  async function infoOf(videoUuid: string): Promise<VideoAccessInfo | undefined> {
    const cached = cache.get(videoUuid);
    if (cached && cached.until > Date.now()) return cached.info;
    const row = await videos.findVideo(pool, { uuid: videoUuid });
    const info = row ? accessInfoOf(row) : undefined;
    if (cache.size > MAX_CACHED) cache.clear();
    cache.set(videoUuid, { info, until: Date.now() + CACHE_MS });
    return info;
  }

  async function matchesAPassword(videoId: number, password: string): Promise<boolean> {
    if (password.length < VIDEO_PASSWORD_LENGTH.min || password.length > VIDEO_PASSWORD_LENGTH.max) return false;
    for (const row of await videoPasswords.listVideoPasswords(pool, videoId)) {
      if (await verifyPassword(password, row.password_hash)) return true;
    }
    return false;
  }

  /** The answer for this password, and whether it was already known (being computed or computed lately). */
  function checkPassword(video: VideoAccessInfo, password: string): { result: Promise<boolean>; known: boolean } {
    const key = passwordKey(video, password);
    const cached = passwordChecks.get(key);
    if (cached && cached.until > Date.now()) return { result: cached.result, known: true };
    if (passwordChecks.size > MAX_CACHED) passwordChecks.clear();
    const result = matchesAPassword(video.id, password);
    const entry: { result: Promise<boolean>; until: number; right?: boolean } = { result, until: Date.now() + PASSWORD_CACHE_MS };
    passwordChecks.set(key, entry);
    result.then((right) => { entry.right = right; }, () => passwordChecks.delete(key));
    return { result, known: false };
  }

  // Keyed by a digest, so the clear passwords do not sit in memory; concurrent requests share one check.
  const passwordKey = (video: VideoAccessInfo, password: string) => `${video.uuid} ${createHash('sha256').update(password).digest('base64')}`;

  /** A password checked right lately: its viewers go on while guessers have the video's tries used up. */
  function knownRight(video: VideoAccessInfo, password: string): boolean {
    const cached = passwordChecks.get(passwordKey(video, password));
    return cached !== undefined && cached.until > Date.now() && cached.right === true;
  }

  /**
   * Every guess is counted before its check and handed back when right. A password whose answer is
   * already known (a player repeating its header on every segment, a guess someone already paid the
   * scrypt for) costs nothing and tells nothing new: it is not counted either.
   */
  async function throttledPasswordCheck(video: VideoAccessInfo, password: string, client: string | undefined): Promise<AccessDenial | undefined> {
    // A client over its own limit is refused whatever it sends (a right answer must not differ).
    const clientWait = guesses.retryAfter([[perClient, client]]);
    if (clientWait > 0) return tooMany(clientWait);
    // Past the video's limit (many addresses guessing), a password checked right lately still opens
    // it: otherwise a few guessers would lock every rightful viewer out.
    if (knownRight(video, password)) return undefined;
    const ticket = guesses.reserve([[perClient, client], [perVideo, video.id]]);
    if (!ticket.allowed) return tooMany(ticket.retryAfterSeconds);
    try {
      const { result, known } = checkPassword(video, password);
      if (known) ticket.succeeded();
      if (!await result) return { status: 403, code: 'incorrect_video_password', message: 'Incorrect video password' };
    } catch (error) {
      // The scrypt line is full (auth/password.ts): a refusal like any other, also for the sockets.
      if (error instanceof DomainError && error.code === 'too_many_requests') return tooMany(error.retryAfterSeconds ?? 1);
      throw error;
    }
    ticket.succeeded();
    return undefined;
  }

  return {
    async isOpenToAnyone(videoUuid) {
      const info = await infoOf(videoUuid);
      return info ? isOpenPrivacy(info.privacy) : undefined;
    },
    infoOf,
    async check(video, viewer) {
      if (hiddenByNumericId(video, viewer)) return NOT_FOUND;
      if (isOpenPrivacy(video.privacy) || isOwnerOrAdmin(viewer.user, video.ownerUserId)) return undefined;
      if (video.privacy === VideoPrivacy.INTERNAL && viewer.user) return undefined;
      if (video.privacy === VideoPrivacy.PASSWORD_PROTECTED) {
        if (viewer.password === undefined) {
          return { status: 403, code: 'video_requires_password', message: 'This video is password protected: send its password in the x-peertube-video-password header' };
        }
        return throttledPasswordCheck(video, viewer.password, viewer.client);
      }
      if (!viewer.user) return { status: 401, code: 'unauthorized', message: 'This video needs authorisation' };
      return { status: 403, code: 'forbidden', message: 'You are not allowed to see this video' };
    },
    fileTokens,
    forget(videoUuid) {
      cache.delete(videoUuid);
      for (const key of passwordChecks.keys()) if (key.startsWith(`${videoUuid} `)) passwordChecks.delete(key);
    },
  };
}
