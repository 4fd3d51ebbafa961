// The two ways a route finds the video it works on: one the requester may see, and one they own.
// Every route that takes a video id goes through these, so the privacy answers are the same everywhere.
import type { FastifyRequest } from 'fastify';
import { parseVideoRef, videos, type VideoRow } from '../db/index.ts';
import type { AppContext } from './context.ts';
import { HttpError, notFound } from './errors.ts';
import { tooManyRequests } from '../core/errors.ts';
import { accessInfoOf, videoPasswordOf } from '../core/media-access/access.ts';
import { isOwnerOrAdmin } from '../core/users/roles.ts';

/**
 * Loads a video the requester may see (core/media-access/access.ts). A private or internal video answers 404
 * without telling whether it exists, and so does an unlisted one asked for by numeric id (as PeerTube); a password-protected one answers 403 with PeerTube's codes
 * (video_requires_password, incorrect_video_password) so that clients know to ask for the password.
 */
export async function loadVisibleVideo(context: AppContext, request: FastifyRequest, ref: string): Promise<VideoRow> {
  const parsed = parseVideoRef(ref);
  const row = parsed ? await videos.findVideo(context.pool, parsed) : undefined;
  if (!row) throw notFound('Video');
  const denial = await context.mediaAccess.check(accessInfoOf(row), {
    user: request.user, password: videoPasswordOf(request.headers), client: request.ip, byNumericId: parsed !== undefined && 'id' in parsed,
  });
  if (denial?.code === 'too_many_requests') throw tooManyRequests(denial.message, denial.retryAfterSeconds ?? 1);
  if (denial?.code === 'video_requires_password' || denial?.code === 'incorrect_video_password') {
    throw new HttpError(denial.status, denial.code, denial.message);
  }
  // Private, internal and unlisted-by-id videos: not found, without telling whether they exist.
  if (denial) throw notFound('Video');
  return row;
}

export async function loadOwnedVideo(context: AppContext, request: FastifyRequest, ref: string): Promise<VideoRow> {
  if (!request.user) throw new HttpError(401, 'unauthorized', 'Authentication required');
  const row = await loadVisibleVideo(context, request, ref);
  if (!isOwnerOrAdmin(request.user, row.owner_user_id)) throw new HttpError(403, 'forbidden', 'You do not own this video');
  return row;
}
