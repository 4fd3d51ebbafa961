// A chat client for tests, over the real socket.io namespace /chat (docs/CHAT.md): connect as a user
// (OAuth token) or an anonymous viewer (anonId), send any event with its acknowledgement, and collect
// what the server pushes so that a test can wait for it.
import { io, type Socket } from 'socket.io-client';
import { waitFor } from './wait.ts';

export interface ChatAck { ok: boolean; error?: { code: string; message: string; retryAfterSeconds?: number }; [key: string]: any }
export interface ChatEvent { event: string; payload: any; at: number }

export interface ChatClient {
  socket: Socket;
  /** Every server event received so far, in order. */
  events: ChatEvent[];
  /** Emits `event` and resolves with the ack (`{ ok: false, error }` included); rejects after `timeoutMs`. */
  emit(event: string, payload: unknown, timeoutMs?: number): Promise<ChatAck>;
  /** `join`; throws unless the ack is ok. */
  join(videoId: string | number, password?: string): Promise<ChatAck>;
  /** `send` to the room joined last (or `roomId`); resolves with the ack, ok or not. */
  send(text: string, roomId?: number): Promise<ChatAck>;
  /** The first event named `event` (received before or after the call) for which `match` holds. */
  waitForEvent(event: string, match?: (payload: any) => boolean, timeoutMs?: number): Promise<any>;
  close(): void;
}

/** Resolves once connected; rejects with the server's refusal (e.g. `invalid_token`) or after 10 s. */
export async function connectChat(baseUrl: string, { token, anonId }: { token?: string; anonId?: string } = {}): Promise<ChatClient> {
  const auth: Record<string, string> = {};
  if (token) auth.token = token;
  if (anonId) auth.anonId = anonId;
  const socket = io(`${baseUrl}/chat`, { transports: ['websocket'], auth, reconnection: false, timeout: 10_000 });
  const events: ChatEvent[] = [];
  socket.onAny((event: string, payload: unknown) => { events.push({ event, payload, at: Date.now() }); });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { socket.close(); reject(new Error('chat connection timed out')); }, 10_000);
    socket.once('connect', () => { clearTimeout(timer); resolve(); });
    socket.once('connect_error', (error) => { clearTimeout(timer); socket.close(); reject(error); });
  });
  let lastRoomId: number | undefined;

  const client: ChatClient = {
    socket,
    events,
    async emit(event, payload, timeoutMs = 10_000) {
      return socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<ChatAck>;
    },
    async join(videoId, password) {
      const ack = await client.emit('join', password === undefined ? { videoId } : { videoId, password });
      if (!ack.ok) throw new Error(`join refused: ${JSON.stringify(ack.error)}`);
      lastRoomId = ack.room.id;
      return ack;
    },
    send(text, roomId = lastRoomId) {
      if (roomId === undefined) throw new Error('send before join');
      return client.emit('send', { roomId, text });
    },
    waitForEvent(event, match = () => true, timeoutMs = 10_000) {
      return waitFor(`the chat event ${event}`, () => events.find((entry) => entry.event === event && match(entry.payload))?.payload,
        { timeoutMs, intervalMs: 50 });
    },
    close() {
      socket.close();
    },
  };
  return client;
}
