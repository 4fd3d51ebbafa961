// The baseline: a bare socket.io server (the same socket.io package as ours, websocket only)
// doing the least any chat server does: `join` puts the socket in the room and acks; `send` acks
// and broadcasts the message to the room. No auth, validation, storage or anti-flood. Its message
// has ChatMessage's shape and about its size, so that both servers push the same bytes.
// Run as a child of the bench: it reports its port over IPC once listening.
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const ROOM = 'bench';
const ROOM_ID = 1;

type Ack = (answer: unknown) => void;

const http = createServer();
const io = new Server(http, { transports: ['websocket'], serveClient: false });
const chat = io.of('/chat');
let nextId = 1;

chat.on('connection', (socket) => {
  const nick = `viewer-${socket.id.slice(0, 6)}`;
  socket.on('join', (_payload: unknown, ack: Ack) => {
    void socket.join(ROOM);
    ack({ ok: true, room: { id: ROOM_ID }, history: [] });
  });
  socket.on('send', (payload: { text?: unknown }, ack: Ack) => {
    const message = {
      id: nextId++, roomId: ROOM_ID, videoId: ROOM_ID,
      author: { nick, color: 'hsl(210 70% 45%)', account: null, anonymous: true, source: 'web', moderator: false },
      text: String(payload?.text ?? ''), createdAt: new Date().toISOString(), offsetSeconds: null,
    };
    chat.to(ROOM).emit('message', message);
    ack({ ok: true, message });
  });
});

http.listen(0, '127.0.0.1', () => {
  const address = http.address();
  process.send!({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('disconnect', () => process.exit(0));
