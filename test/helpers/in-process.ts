// The API in this process, without a server: the fastify app of api/app.ts, built by buildApp()
// on the real services of api/start.ts (embedded Postgres with its migrations, jobs, media access,
// uploads, chat, a live manager that simply has no publishers), and driven through app.inject().
// Nothing listens: no HTTP, socket.io, RTMP or SRT port. Tests of what needs them (media, sockets)
// use test/helpers/server.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { createLogger, loadConfig } from '../../config/index.ts';
import { buildApp } from '../../api/app.ts';
import type { AppContext } from '../../api/context.ts';
import { appContextOf, startServices, type Services } from '../../api/start.ts';
import { encoderSettingsFromConfig, type EncoderSelection, type FfmpegBinary } from '../../packager/index.ts';
import { encoderById } from '../../packager/encoders/registry.ts';
import { ApiClient } from './api.ts';
import { freePort } from './ports.ts';
import { ADMIN_PASSWORD } from './server.ts';

export interface InProcessApp {
  app: FastifyInstance;
  context: AppContext;
  /** The origin the requests name in their Host header. Nothing listens there. */
  baseUrl: string;
  /** The RTMP port the API announces (nothing listens there either). */
  rtmpPort: number;
  dataDir: string;
  /** A fetch() that goes through app.inject() (redirects followed, as fetch does). */
  fetch: typeof fetch;
  /** A client of the API through app.inject(), anonymous or with this bearer token. */
  client(token?: string): ApiClient;
  /** The admin (root), logged in. */
  admin(): Promise<ApiClient>;
  /** Closes the app and the services, stops Postgres and removes the data folder. */
  close(): Promise<void>;
}

/**
 * The software encoder, taken as it is: the route rules never encode, and selectEncoder's trial
 * encodes cost seconds. (/api/v1/admin/transcoding's report is tested on a real server, in api.test.ts.)
 */
function fixedX264(config: ReturnType<typeof loadConfig>) {
  return async (ffmpeg: FfmpegBinary): Promise<EncoderSelection> => {
    const settings = encoderSettingsFromConfig(config, ffmpeg.ffmpeg);
    return {
      requested: settings.encoder, backend: encoderById('libx264'), step: 'software', compiledIn: ['libx264'], trials: [],
      caps: { ffmpegPath: ffmpeg.ffmpeg, hardwareDecode: false, x264Preset: settings.x264Preset, vaapiDevice: settings.vaapiDevice, threads: settings.threads },
    };
  };
}

/** Starts the services and builds the app: `env` as for the server process (e.g. UPLOADS_USER_QUOTA_BYTES). */
export async function startInProcessApp(env: Record<string, string> = {}): Promise<InProcessApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'livecast-inprocess-'));
  const [httpPort, rtmpPort, srtPort, databasePort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const config = loadConfig({
    env: {
      ...process.env,
      HTTP_HOST: '127.0.0.1', HTTP_PORT: String(httpPort),
      RTMP_HOST: '127.0.0.1', RTMP_PORT: String(rtmpPort),
      SRT_HOST: '127.0.0.1', SRT_PORT: String(srtPort),
      DATABASE_URL: '', DATABASE_EMBEDDED_PORT: String(databasePort),
      STORAGE_DATA_DIR: dataDir,
      ADMIN_PASSWORD,
      // As test/helpers/server.ts: scrypt at a test cost, lives end at once.
      AUTH_PASSWORD_HASH_COST: '14',
      LIVE_RECONNECT_GRACE_SECONDS: '0',
      ...env,
    },
  });
  const log = createLogger(config.log.level === 'debug' ? 'debug' : 'error');
  let services: Services | undefined;
  let app: FastifyInstance | undefined;
  let context: AppContext;
  try {
    services = await startServices(config, log, { selectEncoder: fixedX264(config) });
    // No socket.io here: no live viewers.
    context = appContextOf(config, log, services, { rtmpPort, rtmpsPort: undefined, srtPort }, () => 0);
    app = await buildApp(context);
    await app.ready();
  } catch (error) {
    await stopAll(app, services, dataDir);
    throw error;
  }
  const baseUrl = `http://127.0.0.1:${httpPort}`;
  const injecting = injectingFetch(app, baseUrl);
  const built = app;
  return {
    app: built,
    context,
    baseUrl,
    rtmpPort,
    dataDir,
    fetch: injecting,
    client: (token) => new ApiClient(baseUrl, token, injecting),
    admin: () => ApiClient.asAdmin(baseUrl, injecting),
    close: () => stopAll(built, services, dataDir),
  };
}

/** In startServer's stop order, less the listeners that were never started. */
async function stopAll(app: FastifyInstance | undefined, services: Services | undefined, dataDir: string): Promise<void> {
  try {
    await services?.lives.stopAll();
    await services?.webrtc?.whep.stop();
    await services?.webrtc?.whip.stop();
    await app?.close();
    await services?.jobs.stop();
    await services?.database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 204, 205, 304]);

/** fetch() on top of app.inject(): the URL's host goes in the Host header; the client is 127.0.0.1. */
function injectingFetch(app: FastifyInstance, origin: string): typeof fetch {
  const send = async (input: string | URL | Request, init: RequestInit = {}, hops = 0): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input), origin);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => { headers[name] = value; });
    const body = init.body === undefined || init.body === null ? undefined
      : typeof init.body === 'string' ? init.body : Buffer.from(init.body as Uint8Array);
    const method = (init.method ?? 'GET').toUpperCase() as HTTPMethods;
    const reply = await app.inject({ method, url: url.pathname + url.search, headers: { host: url.host, ...headers }, payload: body, remoteAddress: '127.0.0.1' });
    const location = reply.headers.location;
    if (REDIRECTS.has(reply.statusCode) && typeof location === 'string' && (init.redirect ?? 'follow') === 'follow') {
      if (hops >= 20) throw new TypeError('fetch failed: too many redirects');
      return send(new URL(location, url).href, { ...init, ...(reply.statusCode === 303 ? { method: 'GET', body: undefined } : {}) }, hops + 1);
    }
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(reply.headers)) {
      for (const item of Array.isArray(value) ? value : [value]) if (item !== undefined) responseHeaders.append(name, String(item));
    }
    const payload = NULL_BODY.has(reply.statusCode) || method === 'HEAD' ? null : new Uint8Array(reply.rawPayload);
    return new Response(payload, { status: reply.statusCode, headers: responseHeaders });
  };
  return ((input: string | URL | Request, init?: RequestInit) => send(input, init)) as typeof fetch;
}
