// What the live manager reads and writes in the database, as one small port: the manager's state
// machine can then be unit-tested with an in-memory store (test/unit/live-manager.test.ts), and
// Postgres stays the only store the server runs with (postgresLiveStore below).
import type pg from 'pg';
import { lives, liveSessions, videos } from '../../db/index.ts';
import type { PublishAttempt } from '../../ingest/index.ts';

/** A live as the publish check needs it: the live's settings and its video's identity and state. */
export interface LiveToAdmit {
  liveId: number;
  videoId: number;
  videoUuid: string;
  videoState: number;
  permanent: boolean;
  saveReplay: boolean;
  /** PeerTube's latencyMode as stored (1 default, 2 high latency, 3 small latency). */
  latencyMode: number;
}

export interface DanglingSession { sessionId: number; videoId: number; permanent: boolean; saveReplay: boolean }

export interface LiveStore {
  /** The live whose stream key has this hash, with its video; undefined when none (or its video is gone). */
  findLiveByKeyHash(hash: string): Promise<LiveToAdmit | undefined>;
  /** The process locks of this live's open sessions (another server process may stream it). */
  openSessionOwners(liveId: number): Promise<string[]>;
  startSession(liveId: number, protocol: PublishAttempt['protocol'], saveReplay: boolean, ownerLock: string): Promise<{ id: number; startedAt: Date }>;
  describeSession(sessionId: number, encoder: string, renditionHeights: number[]): Promise<void>;
  endSession(sessionId: number, error: number | null): Promise<void>;
  setVideoState(videoId: number, state: number): Promise<void>;
  /** Closes the sessions left open by processes that are gone, and says which. */
  closeDanglingSessions(isGone: (ownerLock: string) => Promise<boolean>): Promise<DanglingSession[]>;
}

export function postgresLiveStore(pool: pg.Pool): LiveStore {
  return {
    async findLiveByKeyHash(hash) {
      const live = await lives.findLiveByStreamKeyHash(pool, hash);
      if (!live) return undefined;
      const video = await videos.findVideo(pool, { id: live.video_id });
      if (!video) return undefined;
      return {
        liveId: live.id, videoId: video.id, videoUuid: video.uuid, videoState: video.state,
        permanent: live.permanent_live, saveReplay: live.save_replay, latencyMode: live.latency_mode,
      };
    },
    openSessionOwners: (liveId) => liveSessions.openSessionOwners(pool, liveId),
    async startSession(liveId, protocol, saveReplay, ownerLock) {
      const row = await liveSessions.startLiveSession(pool, liveId, protocol, saveReplay, ownerLock);
      return { id: row.id, startedAt: row.started_at };
    },
    describeSession: (sessionId, encoder, heights) => liveSessions.describeLiveSession(pool, sessionId, encoder, heights),
    endSession: (sessionId, error) => liveSessions.endLiveSession(pool, sessionId, error),
    setVideoState: (videoId, state) => videos.setVideoState(pool, videoId, state),
    closeDanglingSessions: (isGone) => liveSessions.closeDanglingSessions(pool, isGone),
  };
}
