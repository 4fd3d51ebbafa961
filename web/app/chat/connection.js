// One connection to the socket.io namespace /chat (docs/CHAT.md) joined to one room: it joins on every
// (re)connection, since a new socket is in no room, and turns acknowledgements into promises.
import { accessToken } from '../api.js';
import { anonId } from './identity.js';

/** An ack that never comes (server gone mid-request) must not leave a button disabled forever. */
const ACK_TIMEOUT_MS = 10_000;

/** A refusal from the server, or a failure to reach it: `code` is a ChatErrorCode or 'network'. */
export class ChatRefusal extends Error {
  constructor({ code = 'network', message = 'The chat server did not answer', retryAfterSeconds } = /** @type {{ code?: string, message?: string, retryAfterSeconds?: number }} */ ({})) {
    super(message);
    this.name = 'ChatRefusal';
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Opens the connection and joins `videoId` (numeric id, uuid or short uuid).
 * `identity`: 'viewer' (the logged-in user's token, else the anonId kept in localStorage) or 'reader'
 * (neither: an overlay only reads). `handlers`: onJoined(ack), onJoinFailed(ChatRefusal), onDisconnect(),
 * and one handler per server event: message, deleted, cleared, settings, moderated.
 * Returns null when the socket.io client did not load.
 */
export function connectChat(videoId, { password, identity = 'viewer', handlers = {} } = /** @type {{ password?: string, identity?: 'viewer' | 'reader', handlers?: Record<string, Function> }} */ ({})) {
  if (typeof window.io !== 'function') return null;
  // After an `invalid_token` refusal the viewer goes on anonymously rather than not at all.
  let useToken = identity === 'viewer';
  const socket = window.io('/chat', {
    transports: ['websocket'],
    // A function: called again on every reconnection, so a refreshed token is the one sent.
    auth: (send) => void authFor(identity, useToken).then(send),
  });
  let roomId = null;

  const request = (event, payload) => new Promise((resolve, reject) => {
    socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (timedOut, answer) => {
      if (timedOut || !answer) reject(new ChatRefusal());
      else if (answer.ok) resolve(answer);
      else reject(new ChatRefusal(answer.error));
    });
  });

  socket.on('connect', async () => {
    try {
      const joined = await request('join', { videoId, ...(password ? { password } : {}) });
      roomId = joined.room.id;
      handlers.onJoined?.(joined);
    } catch (error) {
      handlers.onJoinFailed?.(error);
    }
  });
  socket.on('connect_error', (error) => {
    if (error?.message === 'invalid_token' && useToken) {
      useToken = false;
      socket.connect();
      return;
    }
    handlers.onDisconnect?.();
  });
  socket.on('disconnect', () => handlers.onDisconnect?.());
  for (const event of ['message', 'deleted', 'cleared', 'settings', 'moderated']) {
    // A socket may be in several rooms: only this room's events are ours.
    socket.on(event, (payload) => {
      if (payload?.roomId === roomId) handlers[event]?.(payload);
    });
  }

  return {
    get roomId() { return roomId; },
    /** Sends a client event with this room's id; resolves with the ack or rejects with a ChatRefusal. */
    request(event, payload = {}) {
      if (roomId === null) return Promise.reject(new ChatRefusal({ code: 'not_joined', message: 'Not connected to the chat yet' }));
      return request(event, { roomId, ...payload });
    },
    close() {
      socket.close();
    },
  };
}

async function authFor(identity, useToken) {
  if (identity !== 'viewer') return {};
  const token = useToken ? await accessToken().catch(() => null) : null;
  return token ? { token } : { anonId: anonId() };
}
