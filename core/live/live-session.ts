// One publish of one live, from admission to end: the core stream object of the server.
import type { PublishAttempt } from '../../ingest/index.ts';
import type { DiskSink, LiveTranscoder, Rendition, hls } from '../../packager/index.ts';

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
  /** PeerTube's latencyMode of the live: 1 default, 2 high latency, 3 small latency. */
  readonly latencyMode: 1 | 2 | 3;
  /** The replay will be made from the recorded segments: keep them all on disk. */
  readonly keepAllSegments: boolean;
  renditions: Rendition[];
  transcoder: LiveTranscoder | undefined;
  /** The LL-HLS packager of the session: it outlives publisher reconnects and transcoder restarts. */
  output: hls.LiveHls | undefined;
  sinks: DiskSink[];
  /** Set once the first segments of every rendition exist. */
  playable: boolean;
  ending: Promise<void> | undefined;
}

export function masterPlaylistUrl(session: Pick<LiveSession, 'mediaPath'>): string {
  return `/static/streaming-playlists/${session.mediaPath}/master.m3u8`;
}
