// The /live-videos socket.io namespace (PeerTube's name): viewers subscribe to a video and
// receive its state changes and viewer count without reloading. A protected live (private,
// internal, password) is followed only by those who may watch it: the socket sends the bearer at
// connection (`auth.token`) and a password with `subscribe`. `videoId` may be the numeric id or the
// uuid/shortUUID; an unlisted live is followed by uuid only (its numeric id would let anyone find it).
// Password guesses here are throttled like everywhere else: `{ ok: false, error: 'too_many_requests' }`.
import type { Namespace, Server, Socket } from 'socket.io';
import type { Logger } from '../../config/index.ts';
import { parseVideoRef, VIDEO_STATE_LABELS, type UserRow, type VideoRef } from '../../db/index.ts';
import type { LiveManager } from '../../core/live/live-manager.ts';
import { masterPlaylistUrl } from '../../core/live/live-session.ts';
import { numberField } from '../../chat/fields.ts';

const roomOf = (videoId: number) => `video-${videoId}`;
const MAX_SUBSCRIPTIONS = 20;

export interface Realtime {
  viewersOf(videoId: number): number;
}

export interface RealtimeAccess {
  /** The user of an access token, undefined when the token is unknown or expired. */
  userOf(token: string): Promise<UserRow | undefined>;
  /** The video's id when this viewer may see it (and so follow its state), else the refusal's code. */
  mayFollow(ref: VideoRef, viewer: { user: UserRow | undefined; password: string | undefined; client: string }):
    Promise<{ videoId: number } | { error: string; retryAfterSeconds?: number }>;
  /** The client's address, for the throttling of password guesses. */
  addressOf(socket: Socket): string;
}

type Ack = (answer: { ok: boolean; error?: string; retryAfterSeconds?: number }) => void;

/** A numeric id (number or digits) or a uuid/shortUUID. */
function refOf(value: unknown): VideoRef | undefined {
  // Through parseVideoRef, as a string: its bound on numeric ids is the database's (2^53 or 1e308 made a query fail).
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? parseVideoRef(String(value)) : undefined;
  return typeof value === 'string' ? parseVideoRef(value) : undefined;
}

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
    // A throw inside a socket.io listener escapes to the event loop and ends the process: whatever a
    // client sends, the listener's failure stays that socket's (its ack, if any, says 'invalid').
    const on = (event: string, listener: (payload: unknown, ack: unknown) => void) => {
      socket.on(event, (payload: unknown, ack: unknown) => {
        try {
          listener(payload, ack);
        } catch (error) {
          log.warn(`realtime ${event} refused: ${(error as Error).message}`);
          if (typeof ack === 'function') (ack as Ack)({ ok: false, error: 'invalid' });
        }
      });
    };
    on('subscribe', (payload: unknown, ack: unknown) => {
      const reply: Ack = typeof ack === 'function' ? ack as Ack : () => undefined;
      const body = (payload ?? {}) as { videoId?: unknown; password?: unknown };
      const ref = refOf(body.videoId);
      if (!ref || watched.size >= MAX_SUBSCRIPTIONS) return reply({ ok: false, error: 'invalid' });
      const password = typeof body.password === 'string' && body.password !== '' ? body.password : undefined;
      access.mayFollow(ref, { user: socket.data.user as UserRow | undefined, password, client: access.addressOf(socket) }).then((outcome) => {
        if ('error' in outcome) return reply({ ok: false, error: outcome.error, ...(outcome.retryAfterSeconds ? { retryAfterSeconds: outcome.retryAfterSeconds } : {}) });
        if (socket.disconnected) return reply({ ok: false, error: 'not_found' });
        const { videoId } = outcome;
        watched.add(videoId);
        void socket.join(roomOf(videoId));
        announceViewers(videoId);
        reply({ ok: true, videoId } as Parameters<Ack>[0]);
      }, (error: Error) => {
        log.warn(`realtime subscribe to video ${JSON.stringify(body.videoId)} failed: ${error.message}`);
        reply({ ok: false, error: 'unavailable' });
      });
    });
    on('unsubscribe', (payload: unknown) => {
      // numberField, not Number(): Number({ toString: 1 }) throws, and a throw here ended the process.
      const videoId = numberField((payload as { videoId?: unknown } | null)?.videoId);
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
