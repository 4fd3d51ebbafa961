// Realtime updates of one live video through the socket.io namespace /live-videos
// (state changes and viewer counts), re-subscribing after every reconnection. A protected live is
// followed with the viewer's bearer (sent at each connection) and the password they gave.
import { accessToken } from './api.js';

/**
 * Subscribes to `videoId` (numeric id). Handlers: onState({videoId, state:{id,label}, playlistUrl}),
 * onViewers(count), onReconnect() (after a lost connection came back: events may have been missed).
 * `password`: the video's password, for a password-protected live. `uuid`: subscribes by uuid (an
 * unlisted live is not found by its numeric id); events still carry the numeric id.
 * Returns { available, close() }; `available` is false when the socket.io client did not load.
 * @param {number} videoId
 */
export function watchLiveVideo(videoId, { onState, onViewers, onReconnect, password, uuid } = /** @type {{ onState?: (event: { videoId: number, state: { id: number, label: string }, playlistUrl: string | null }) => void, onViewers?: (count: number) => void, onReconnect?: () => void, password?: string, uuid?: string }} */ ({})) {
  if (typeof window.io !== 'function') {
    console.warn('socket.io client unavailable: no realtime updates');
    return { available: false, close() {} };
  }
  const socket = window.io('/live-videos', {
    transports: ['websocket'],
    auth: (send) => void accessToken().catch(() => null).then((token) => send(token ? { token } : {})),
  });
  let connectedBefore = false;

  socket.on('connect', () => {
    const ref = uuid ?? videoId;
    socket.emit('subscribe', password ? { videoId: ref, password } : { videoId: ref });
    if (connectedBefore) onReconnect?.();
    connectedBefore = true;
  });
  socket.on('state-change', (payload) => {
    if (payload?.videoId === videoId) onState?.(payload);
  });
  socket.on('views-change', (payload) => {
    if (payload?.videoId === videoId) onViewers?.(payload.viewers);
  });

  return {
    available: true,
    socket,
    close() {
      if (socket.connected) socket.emit('unsubscribe', { videoId });
      socket.close();
    },
  };
}
