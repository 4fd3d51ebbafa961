// A typed facade over node-media-server 4, which ships no types. Only what ingest/rtmp uses.
import { createRequire } from 'node:module';
import type { Server as NetServer, Socket } from 'node:net';

const require = createRequire(import.meta.url);

export interface NmsSession {
  id: string;
  ip: string;
  protocol: string;
  streamApp: string;
  streamName: string;
  streamPath: string;
  isPublisher: boolean;
  broadcast: NmsBroadcast;
  videoWidth: number;
  videoHeight: number;
  audioCodec: number;
  sendBuffer(buffer: Buffer): void;
  close(): void;
}

export interface NmsBroadcast {
  publisher: NmsSession | null;
  publishGraceMs: number;
  flvMetaData: Buffer | null;
  flvAudioHeader: Buffer | null;
  flvVideoHeader: Buffer | null;
  postPlay(session: NmsSubscriber): string | null;
  donePlay(session: NmsSubscriber): void;
}

/** An in-process reader of a broadcast: NMS writes FLV tags to sendBuffer. */
export interface NmsSubscriber {
  id: string;
  ip: string;
  protocol: 'flv';
  endTime: number;
  sendBuffer(buffer: Buffer): void;
  close(): void;
}

export interface NmsConfig {
  bind: string;
  rtmp?: { port: number };
  rtmps?: { port: number; key: string; cert: string };
  store: { path: string };
  record?: { path: string; auto: boolean };
}

export interface NodeMediaServer {
  on(event: 'prePublish' | 'postPublish' | 'donePublish', listener: (session: NmsSession) => void): void;
  run(): Promise<void>;
  stop(): Promise<void>;
  /** handleRequest: the listener NMS gives its TCP and TLS servers for each new connection (guard.ts hooks it). */
  rtmpServer: { tcpServer?: NetServer; tlsServer?: NetServer; handleRequest: (socket: Socket) => void };
}

type NmsConstructor = new (config: NmsConfig, configPath: string) => NodeMediaServer;

export function createNodeMediaServer(config: NmsConfig): NodeMediaServer {
  const Server = require('node-media-server') as NmsConstructor;
  const server = new Server(config, '');
  // The constructor sets its own logger to debug; keep its chatter to warnings and errors.
  const logger = require('node-media-server/src/core/logger.js') as { level: string };
  logger.level = 'warn';
  return server;
}
