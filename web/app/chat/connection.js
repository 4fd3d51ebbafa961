// One connection to the socket.io namespace /chat (docs/CHAT.md) joined to one room: it joins on every
// (re)connection, since a new socket is in no room, and turns acknowledgements into promises.
import { accessToken } from '../api.js';
import { anonId } from './identity.js';

/** An ack that never comes (server gone mid-request) must not leave a button disabled forever. */
const ACK_TIMEOUT_MS = 10_000;

/** @typedef {import('../api.js').ChatMessage} ChatMessage */
/** @typedef {import('../../../api/schemas/chat.ts').ChatRoomSettingsJson} ChatRoomSettings */
/**
 * What `join` acknowledges (chat/service.ts' JoinGrant, which web/ cannot import: it needs Node's
 * types): the room, what this viewer may do, and the recent history.
 * @typedef {{ nick: string, color: string, moderator: boolean, canPost: boolean, reason?: string, code?: string, retryAfterSeconds?: number }} ChatMe
 * @typedef {{ ok: true, room: { id: number, videoId: number, title: string, xmppAddress: string | null, settings: ChatRoomSettings },
 *   me: ChatMe, history: ChatMessage[] }} JoinAck
 */
/**
 * The server's events, each with its payload (`any`: each handler reads the fields it knows).
 * @typedef {{ onJoined?: (ack: JoinAck) => void, onJoinFailed?: (error: ChatRefusal) => void,
 *   onDisconnect?: () => void } & Record<string, ((payload: any) => void) | undefined>} ChatHandlers
 */
/**
 * @typedef {object} ChatConnection
 * @property {number | null} roomId
 * @property {(event: string, payload?: Record<string, unknown>) => Promise<any>} request
 * @property {() => void} close
 */

/** A refusal from the server, or a failure to reach it: `code` is a ChatErrorCode or 'network'. */
export class ChatRefusal extends Error {
  /** @param {{ code?: string, message?: string, retryAfterSeconds?: number }} [refusal] */
  constructor({ code = 'network', message = 'The chat server did not answer', retryAfterSeconds } = {}) {
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
 * @param {number | string} videoId
 * @param {{ password?: string, identity?: 'viewer' | 'reader', handlers?: ChatHandlers }} [options]
 * @returns {ChatConnection | null}
 */
export function connectChat(videoId, { password, identity = 'viewer', handlers = {} } = {}) {
  if (typeof window.io !== 'function') return null;
  // After an `invalid_token` refusal the viewer goes on anonymously rather than not at all.
  let useToken = identity === 'viewer';
  const socket = window.io('/chat', {
    transports: ['websocket'],
    // A function: called again on every reconnection, so a refreshed token is the one sent.
    auth: (send) => void authFor(identity, useToken).then(send),
  });
  /** @type {number | null} */
  let roomId = null;

  /** @param {string} event @param {Record<string, unknown>} payload @returns {Promise<any>} */
  const request = (event, payload) => new Promise((resolve, reject) => {
    socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (/** @type {Error | null} */ timedOut, /** @type {any} */ answer) => {
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
      handlers.onJoinFailed?.(/** @type {ChatRefusal} */ (error)); // request() rejects with ChatRefusals
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
    socket.on(event, (/** @type {any} */ payload) => {
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

/** @param {'viewer' | 'reader'} identity @param {boolean} useToken */
async function authFor(identity, useToken) {
  if (identity !== 'viewer') return {};
  const token = useToken ? await accessToken().catch(() => null) : null;
  return token ? { token } : { anonId: anonId() };
}
