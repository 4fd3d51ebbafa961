// The /live-videos socket.io namespace (PeerTube's name): viewers subscribe to a video and
// receive its state changes and viewer count without reloading.
import type { Namespace, Server } from 'socket.io';
import type { Logger } from '../../config/index.ts';
import { VIDEO_STATE_LABELS } from '../../db/index.ts';
import type { LiveManager } from './live-manager.ts';
import { masterPlaylistUrl } from './live-session.ts';

const roomOf = (videoId: number) => `video-${videoId}`;

export interface Realtime {
  viewersOf(videoId: number): number;
}

export function startRealtime(io: Server, lives: LiveManager, log: Logger): Realtime {
  const namespace: Namespace = io.of('/live-videos');
  const viewersOf = (videoId: number) => namespace.adapter.rooms.get(roomOf(videoId))?.size ?? 0;
  const announceViewers = (videoId: number) =>
    namespace.to(roomOf(videoId)).emit('views-change', { videoId, viewers: viewersOf(videoId) });

  namespace.on('connection', (socket) => {
    const watched = new Set<number>();
    socket.on('subscribe', (payload: unknown) => {
      const videoId = Number((payload as { videoId?: unknown } | null)?.videoId);
      if (!Number.isInteger(videoId) || videoId <= 0 || watched.size >= 20) return;
      watched.add(videoId);
      void socket.join(roomOf(videoId));
      announceViewers(videoId);
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
