// One publish of one live, from admission to end: the core stream object of the server.
import type { PublishAttempt } from '../../ingest/index.ts';
import type { LiveTranscoder, Rendition } from '../../packager/index.ts';

export interface LiveSession {
  readonly sessionId: number;
  readonly liveId: number;
  readonly videoId: number;
  readonly videoUuid: string;
  readonly permanent: boolean;
  /** The current publisher connection; replaced when the publisher reconnects within the grace. */
  attempt: PublishAttempt;
  /** Set while the publisher is gone and the session waits for it to come back. */
  graceTimer: NodeJS.Timeout | undefined;
  readonly startedAt: Date;
  /** Relative to the media root: hls/<videoUuid>/<sessionId>. */
  readonly mediaPath: string;
  renditions: Rendition[];
  transcoder: LiveTranscoder | undefined;
  /** Set once the first segments of every rendition exist. */
  playable: boolean;
  ending: Promise<void> | undefined;
}

export function masterPlaylistUrl(session: Pick<LiveSession, 'mediaPath'>): string {
  return `/static/streaming-playlists/${session.mediaPath}/master.m3u8`;
}
