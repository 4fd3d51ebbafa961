// The /live-videos socket.io namespace (PeerTube's name): viewers subscribe to a video and
// receive its state changes and viewer count without reloading. A protected live (private,
// internal, password) is followed only by those who may watch it: the socket sends the bearer at
// connection (`auth.token`) and a password with `subscribe`.
import type { Namespace, Server } from 'socket.io';
import type { Logger } from '../../config/index.ts';
import { VIDEO_STATE_LABELS, type UserRow } from '../../db/index.ts';
import type { LiveManager } from './live-manager.ts';
import { masterPlaylistUrl } from './live-session.ts';

const roomOf = (videoId: number) => `video-${videoId}`;
const MAX_SUBSCRIPTIONS = 20;

export interface Realtime {
  viewersOf(videoId: number): number;
}

export interface RealtimeAccess {
  /** The user of an access token, undefined when the token is unknown or expired. */
  userOf(token: string): Promise<UserRow | undefined>;
  /** Whether this viewer may see the video (and so follow its state). */
  mayFollow(videoId: number, viewer: { user: UserRow | undefined; password: string | undefined }): Promise<boolean>;
}

type Ack = (answer: { ok: boolean; error?: string }) => void;

export function startRealtime(io: Server, lives: LiveManager, log: Logger, access: RealtimeAccess): Realtime {
  const namespace: Namespace = io.of('/live-videos');
  const viewersOf = (videoId: number) => namespace.adapter.rooms.get(roomOf(videoId))?.size ?? 0;
  const announceViewers = (videoId: number) =>
    namespace.to(roomOf(videoId)).emit('views-change', { videoId, viewers: viewersOf(videoId) });

  namespace.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token === '') return next();
    access.userOf(token).then((user) => {
      socket.data.user = user;
      next();
    }, (error: Error) => next(error));
  });

  namespace.on('connection', (socket) => {
    const watched = new Set<number>();
    socket.on('subscribe', (payload: unknown, ack: unknown) => {
      const reply: Ack = typeof ack === 'function' ? ack as Ack : () => undefined;
      const body = (payload ?? {}) as { videoId?: unknown; password?: unknown };
      const videoId = Number(body.videoId);
      if (!Number.isInteger(videoId) || videoId <= 0 || watched.size >= MAX_SUBSCRIPTIONS) return reply({ ok: false, error: 'invalid' });
      const password = typeof body.password === 'string' && body.password !== '' ? body.password : undefined;
      access.mayFollow(videoId, { user: socket.data.user as UserRow | undefined, password }).then((allowed) => {
        if (!allowed || socket.disconnected) return reply({ ok: false, error: 'not_found' });
        watched.add(videoId);
        void socket.join(roomOf(videoId));
        announceViewers(videoId);
        reply({ ok: true });
      }, (error: Error) => {
        log.warn(`realtime subscribe to video ${videoId} failed: ${error.message}`);
        reply({ ok: false, error: 'unavailable' });
      });
    });
    socket.on('unsubscribe', (payload: unknown) => {
      const videoId = Number((payload as { videoId?: unknown } | null)?.videoId);
      if (!watched.delete(videoId)) return;
      void socket.leave(roomOf(videoId));
      announceViewers(videoId);
    });
    socket.on('disconnect', () => {
      for (const videoId of watched) announceViewers(videoId);
    });
  });

  lives.on('state-change', ({ videoId, state, session }) => {
    namespace.to(roomOf(videoId)).emit('state-change', {
      videoId,
      state: { id: state, label: VIDEO_STATE_LABELS[state] },
      playlistUrl: session ? masterPlaylistUrl(session) : null,
    });
  });
  log.info('realtime namespace /live-videos ready');

  return { viewersOf };
}
