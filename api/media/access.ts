// Decides whether a media file (playlist or segment) may be served. Media requests are many
// and frequent, so each video's privacy is cached briefly instead of read from Postgres each time.
import type pg from 'pg';
import { videos, VideoPrivacy } from '../../db/index.ts';

const CACHE_MS = 5000;

export interface MediaAccess {
  /** True when anyone may fetch this video's media; false when it needs authorisation. */
  isOpenToAnyone(videoUuid: string): Promise<boolean | undefined>;
  forget(videoUuid: string): void;
}

export function createMediaAccess(pool: pg.Pool): MediaAccess {
  const cache = new Map<string, { open: boolean | undefined; until: number }>();
  return {
    async isOpenToAnyone(videoUuid) {
      const cached = cache.get(videoUuid);
      if (cached && cached.until > Date.now()) return cached.open;
      const row = await videos.findVideo(pool, { uuid: videoUuid });
      // Public and unlisted media are open: unlisted is protected by its unguessable URL.
      const open = row ? row.privacy === VideoPrivacy.PUBLIC || row.privacy === VideoPrivacy.UNLISTED : undefined;
      if (cache.size > 10_000) cache.clear();
      cache.set(videoUuid, { open, until: Date.now() + CACHE_MS });
      return open;
    },
    forget(videoUuid) {
      cache.delete(videoUuid);
    },
  };
}
