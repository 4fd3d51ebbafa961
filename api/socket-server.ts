// The one socket.io server of the process (realtime live state and chat), and its postgres adapter:
// broadcasts reach the sockets of every server process sharing the database.
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type pg from 'pg';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/postgres-adapter';
import type { Logger } from '../config/index.ts';

const require = createRequire(import.meta.url);
// proxy-addr (fastify's own dependency) ships no types; this is the part used here.
const proxyaddr = require('proxy-addr') as {
  (request: IncomingMessage, trust: (address: string, index: number) => boolean): string;
  compile(trust: string[]): (address: string, index: number) => boolean;
};

export function startSocketServer(httpServer: HttpServer, pool: pg.Pool, log: Logger): Server {
  const io = new Server(httpServer, { serveClient: true, cors: { origin: false }, maxHttpBufferSize: 64 * 1024 });
  io.adapter(createAdapter(pool, {
    errorHandler: (error: Error) => log.warn(`socket.io postgres adapter: ${error.message}`),
  }));
  return io;
}

/** The client's address as the HTTP routes see it: X-Forwarded-For is believed from trusted proxies only. */
export function clientAddressResolver(trustProxy: string): (request: IncomingMessage) => string {
  const trust = proxyaddr.compile(trustProxy.split(',').map((entry) => entry.trim()).filter(Boolean));
  return (request) => proxyaddr(request, trust);
}
