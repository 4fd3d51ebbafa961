// The two libraries the pages load with a classic <script> (served from node_modules by
// api/routes/web.ts): their globals, typed from their own packages.
import type HlsClass from 'hls.js';
import type { io as ioFunction } from 'socket.io-client';
import type * as tusClient from 'tus-js-client';
import type { LivePlayer } from './app/player.js';

declare global {
  const Hls: typeof HlsClass;
  const io: typeof ioFunction;
  interface Window {
    Hls: typeof HlsClass;
    io: typeof ioFunction;
    tus: typeof tusClient;
    /**
     * The watch page's player, a public debug handle kept stable for debugging and the browser tests
     * (web/app/player.js, LivePlayer's #publish): the hls.js instance (null under native HLS), the <video>, the player.
     */
    __player?: { hls: HlsClass | null; video: HTMLVideoElement; player: LivePlayer };
  }
}
