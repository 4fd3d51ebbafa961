// Video uploads, three ways in, one way out (UploadService.createVideo, then the vod-transcode job):
// - tus 1.0 resumable uploads (tus-js-client, Uppy) under /api/v1/uploads/tus;
// - PeerTube's multipart POST /api/v1/videos/upload;
// - PeerTube's resumable protocol, /api/v1/videos/upload-resumable (POST, then PUT chunks).
// The same resumable protocol re-uploads a video's source: /api/v1/videos/{id}/source/replace-resumable.
// Bodies are streamed to disk under data/uploads/, never held in memory, and sizes announced
// up front (Upload-Length, X-Upload-Content-Length, Content-Length) are refused with 413 at once.
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fastifyMultipart from '@fastify/multipart';
import { EVENTS, Server as TusServer } from '@tus/server';
import { FileStore } from '@tus/file-store';
import { users, type UserRow } from '../../db/index.ts';
import type { AppContext } from '../context.ts';
import { asHttpError, HttpError } from '../errors.ts';
import { requireUser } from '../auth/authenticate.ts';
import { loadOwnedVideo } from '../video-loaders.ts';
import { sweepIntervalMs } from '../../core/uploads/sweep.ts';
import type { SealedMetadata, UploadService } from '../../core/uploads/upload-service.ts';

const TUS_PATH = '/api/v1/uploads/tus';
const RESUMABLE_PATH = '/api/v1/videos/upload-resumable';
/** Room for the form fields around the file in a multipart body. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
const UPLOAD_ID = /^[a-f0-9]{32}$/;

/** tus Upload-Metadata: comma-separated `key base64value` pairs. */
function parseTusMetadata(header: string | undefined): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const pair of (header ?? '').split(',')) {
    const [key, value] = pair.trim().split(' ');
    if (key) fields[key] = value ? Buffer.from(value, 'base64').toString('utf8') : '';
  }
  return fields;
}

function announcedLength(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}

/** Fails the stream once more than `max` bytes went through it. */
function byteLimit(max: number, already = 0): Transform {
  let seen = already;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > max) callback(new HttpError(413, 'max_file_size_reached', `The file is larger than the ${max} bytes allowed`));
      else callback(null, chunk);
    },
  });
}

/** tus's answer to a refusal (ours or the domain's), with our error shape; anything else goes on as it is. */
function refusal(error: unknown): unknown {
  const known = asHttpError(error);
  return known ? tusError(known) : error;
}

/** tus's answer to a refusal, with our error shape. */
function tusError(error: HttpError): { status_code: number; body: string } {
  return { status_code: error.status, body: JSON.stringify({ status: error.status, code: error.code, error: error.message, detail: error.message }) };
}

/** Another user's upload, an expired one and one that never existed look the same: ids cannot be probed. */
const uploadNotFound = () => new HttpError(404, 'not_found', 'Upload not found');

/**
 * The upload id of a tus request, from its path only: exactly `${TUS_PATH}/<id>`. tus's own reading
 * takes the last segment of the whole URL, query string included (`…/tus?/<id>` named any upload).
 */
export function tusUploadId(url: string): string | undefined {
  let pathname: string;
  try {
    pathname = new URL(url, 'http://localhost').pathname;
  } catch {
    return undefined;
  }
  const id = pathname.startsWith(`${TUS_PATH}/`) ? pathname.slice(TUS_PATH.length + 1) : '';
  return UPLOAD_ID.test(id) ? id : undefined;
}

/** tus metadata keys never kept: the owner is ours to say, and passwords are only kept hashed, elsewhere. */
const SECRET_TUS_KEYS = /^(userId|videoPasswords(\[\d*\])?)$/;

function tusRoutes(context: AppContext, service: UploadService): FastifyPluginAsync {
  return async (app) => {
    const folder = 'tus';
    const directory = join(service.uploadsDir, folder);
    mkdirSync(directory, { recursive: true });
    const datastore = new FileStore({ directory });
    // What the Fastify handler learnt of a request (its user; for a creation, its checked metadata),
    // for the tus hooks, which only see the request.
    const requests = new WeakMap<IncomingMessage, { userId: number; metadata?: SealedMetadata }>();
    const nodeRequest = (req: unknown) => (req as { runtime?: { node?: { req: IncomingMessage } } }).runtime?.node?.req as IncomingMessage;
    const tus = new TusServer({
      path: TUS_PATH,
      datastore,
      maxSize: service.limits.maxFileSizeBytes,
      respectForwardedHeaders: true,
      namingFunction: () => randomBytes(16).toString('hex'),
      getFileIdFromRequest: (req) => tusUploadId(req.url),
      // Every method but the creation names an upload: it must be the caller's, else 404.
      async onIncomingRequest(req, id) {
        if (req.method === 'POST' || req.method === 'OPTIONS') return;
        const userId = requests.get(nodeRequest(req))?.userId;
        const upload = await service.pending(id);
        if (userId === undefined || upload?.userId !== userId) throw tusError(uploadNotFound());
      },
      async onUploadCreate(req, upload) {
        const known = requests.get(nodeRequest(req));
        if (!known?.metadata) throw tusError(new HttpError(401, 'unauthorized', 'Authentication required'));
        try {
          await service.reserve({ uploadId: upload.id, folder, userId: known.userId, sizeBytes: upload.size ?? 0, metadata: known.metadata });
        } catch (error) {
          throw refusal(error);
        }
        const kept = Object.fromEntries(Object.entries(upload.metadata ?? {}).filter(([key]) => !SECRET_TUS_KEYS.test(key)));
        return { metadata: kept };
      },
      async onUploadFinish(_req, upload) {
        try {
          const pending = await service.pending(upload.id);
          const user = pending && await users.findUserById(context.pool, pending.userId);
          if (!pending?.metadata || !user) throw uploadNotFound();
          const video = await service.createVideo(user, pending.metadata, join(directory, upload.id), upload.id);
          rmSync(join(directory, `${upload.id}.json`), { force: true });
          return {
            status_code: 200,
            headers: { 'Content-Type': 'application/json', 'X-Video-Id': video.id, 'X-Video-Uuid': video.uuid },
            body: JSON.stringify({ video }),
          };
        } catch (error) {
          // A refused upload (quota reached meanwhile, owner gone) leaves nothing behind.
          await service.release(upload.id);
          await datastore.remove(upload.id).catch(() => undefined);
          throw refusal(error);
        }
      },
    });
    tus.on(EVENTS.POST_TERMINATE, (_req: unknown, _res: unknown, id: string) => {
      service.release(id).catch((error: Error) => context.log.warn(`tus: could not release upload ${id}: ${error.message}`));
    });

    const handle = async (request: FastifyRequest, reply: FastifyReply) => {
      if (request.method !== 'OPTIONS') {
        const user = requireUser(request);
        if (request.method === 'POST') {
          const size = announcedLength(request.headers['upload-length']);
          // The declared size is reserved in the quota: a deferred length would reserve nothing.
          if (size === undefined) throw new HttpError(400, 'invalid_input', 'Upload-Length is required');
          const metadata = service.parseMetadata(parseTusMetadata(request.headers['upload-metadata'] as string | undefined));
          await service.checkAllowed(user, metadata, size);
          requests.set(request.raw, { userId: user.id, metadata: await service.sealMetadata(metadata) });
        } else {
          requests.set(request.raw, { userId: user.id });
        }
      }
      reply.hijack();
      await tus.handle(request.raw, reply.raw);
    };
    const methods = ['POST', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS'] as const;
    app.route({ method: [...methods], url: '/uploads/tus', exposeHeadRoute: false, schema: { hide: true }, handler: handle });
    app.route({ method: [...methods], url: '/uploads/tus/:id', exposeHeadRoute: false, schema: { hide: true }, handler: handle });
  };
}

/** busboy's errors (a body that ends early, a bad part header) are the client's: a 400, not a 500. */
function multipartError(error: unknown): unknown {
  const known = asHttpError(error) !== undefined || (error as { statusCode?: number }).statusCode !== undefined
    || (error as NodeJS.ErrnoException).syscall !== undefined;
  return known ? error : new HttpError(400, 'invalid_input', `Malformed multipart body: ${(error as Error).message}`);
}

function multipartRoute(service: UploadService): FastifyPluginAsync {
  return async (app) => {
    await app.register(fastifyMultipart, { limits: { fileSize: service.limits.maxFileSizeBytes, files: 1, fields: 30, fieldSize: 20000 } });
    app.post('/videos/upload', {
      schema: { tags: ['Video upload'], summary: 'Upload a video (multipart: videofile, channelId, name, privacy, …)' },
      onRequest: async (request) => {
        requireUser(request);
        const length = announcedLength(request.headers['content-length']);
        if (length !== undefined && length > service.limits.maxFileSizeBytes + MULTIPART_OVERHEAD_BYTES) {
          throw new HttpError(413, 'max_file_size_reached', `The file is larger than the ${service.limits.maxFileSizeBytes} bytes allowed`);
        }
      },
    }, async (request) => {
      const user = requireUser(request);
      if (!request.isMultipart()) throw new HttpError(400, 'invalid_input', 'Expected multipart/form-data');
      const temp = join(service.uploadsDir, 'multipart', randomBytes(16).toString('hex'));
      mkdirSync(join(service.uploadsDir, 'multipart'), { recursive: true });
      const fields: Record<string, unknown> = {};
      let received = false;
      try {
        try {
          for await (const part of request.parts()) {
            if (part.type === 'file') {
              if (part.fieldname !== 'videofile' || received) {
                part.file.resume();
                continue;
              }
              fields.filename ??= part.filename;
              await pipeline(part.file, createWriteStream(temp));
              if (part.file.truncated) throw new HttpError(413, 'max_file_size_reached', 'The file is too large');
              received = true;
            } else {
              fields[part.fieldname] = part.value;
            }
          }
        } catch (error) {
          throw multipartError(error);
        }
        if (!received) throw new HttpError(400, 'invalid_input', 'videofile is required');
        const metadata = service.parseMetadata(fields);
        return { video: await service.createVideo(user, metadata, temp) };
      } finally {
        rmSync(temp, { force: true });
      }
    });
  };
}

interface ResumableState { userId: number; size: number }

/**
 * PeerTube's resumable protocol (POST announces the size and answers a Location with upload_id;
 * PUT chunks with Content-Range, 308 + Range until the last one; DELETE cancels), shared by new
 * uploads and by the re-upload of a video's source. `S`: what `begin` keeps for `finish`.
 */
interface ResumableFlow<S extends object> {
  url: string;
  folder: string;
  tag: string;
  what: string;
  /**
   * Checks made before any byte is accepted (401/403/404/413); returns what `finish` needs (kept in
   * a state file: nothing secret in clear) and whose quota holds the upload, less what it will free.
   */
  begin(request: FastifyRequest, user: UserRow, size: number): Promise<{ state: S; quotaUserId: number; creditBytes?: number }>;
  /** The file is complete: its answer. `uploadId`'s reservation is for the service to replace. */
  finish(request: FastifyRequest, reply: FastifyReply, user: UserRow, state: S, file: string, uploadId: string): Promise<unknown>;
}

function resumableFlow<S extends object>(service: UploadService, flow: ResumableFlow<S>): FastifyPluginAsync {
  return async (app) => {
    const directory = join(service.uploadsDir, flow.folder);
    mkdirSync(directory, { recursive: true });
    const busy = new Set<string>();
    // The caller's own unfinished upload of this flow, not expired; anything else is 404.
    const load = async (request: FastifyRequest, user: UserRow) => {
      const id = (request.query as Record<string, unknown>).upload_id;
      if (typeof id !== 'string' || !UPLOAD_ID.test(id)) throw uploadNotFound();
      const stateFile = join(directory, `${id}.json`);
      if (!existsSync(stateFile) || !await service.pending(id)) throw uploadNotFound();
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as ResumableState & S;
      if (state.userId !== user.id) throw uploadNotFound();
      return { id, state, file: join(directory, id), stateFile };
    };
    const rangeHeader = (size: number) => (size > 0 ? { Range: `bytes=0-${size - 1}` } : {});

    app.post(flow.url, {
      schema: { tags: [flow.tag], summary: `Start a resumable ${flow.what} (PeerTube protocol)` },
    }, async (request, reply) => {
      const user = requireUser(request);
      const size = announcedLength(request.headers['x-upload-content-length']);
      if (size === undefined) throw new HttpError(400, 'invalid_input', 'X-Upload-Content-Length is required');
      const { state, quotaUserId, creditBytes } = await flow.begin(request, user, size);
      const id = randomBytes(16).toString('hex');
      // Reserved before its files exist: the sweep takes a file with no reservation for a stray.
      await service.reserve({ uploadId: id, folder: flow.folder, userId: quotaUserId, sizeBytes: size, creditBytes });
      writeFileSync(join(directory, id), '');
      writeFileSync(join(directory, `${id}.json`), JSON.stringify({ ...state, userId: user.id, size }));
      return reply.code(201).header('Location', `${request.url.split('?')[0]}?upload_id=${id}`).header('Content-Length', '0').send();
    });

    app.put(flow.url, {
      schema: { tags: [flow.tag], summary: 'Send a chunk (Content-Range); 308 until the last one' },
    }, async (request, reply) => {
      const user = requireUser(request);
      const { id, state, file, stateFile } = await load(request, user);
      if (busy.has(id)) throw new HttpError(409, 'conflict', 'A chunk of this upload is already being received');
      busy.add(id);
      try {
        let size = statSync(file).size;
        const range = /^bytes (?:(\d+)-(\d+)|\*)\/(\d+|\*)$/.exec(String(request.headers['content-range'] ?? ''));
        const length = announcedLength(request.headers['content-length']) ?? 0;
        if (range?.[1] !== undefined && length > 0) {
          const start = Number(range[1]);
          if (start !== size) return reply.code(308).headers(rangeHeader(size)).send();
          if (Number(range[2]) - start + 1 !== length) throw new HttpError(400, 'invalid_input', 'Content-Range does not match Content-Length');
          if (start + length > state.size) throw new HttpError(413, 'max_file_size_reached', 'More bytes than announced');
          await pipeline(request.raw, byteLimit(state.size, size), createWriteStream(file, { flags: 'a' }));
          size = statSync(file).size;
        }
        if (size < state.size) return reply.code(308).headers(rangeHeader(size)).send();
        rmSync(stateFile, { force: true });
        try {
          return await flow.finish(request, reply, user, state, file, id);
        } catch (error) {
          // Refused at the end (quota reached meanwhile, video gone): nothing of it is kept.
          await service.release(id);
          throw error;
        } finally {
          rmSync(file, { force: true });
        }
      } finally {
        busy.delete(id);
      }
    });

    app.delete(flow.url, {
      schema: { tags: [flow.tag], summary: `Cancel a resumable ${flow.what}` },
    }, async (request, reply) => {
      const { id, file, stateFile } = await load(request, requireUser(request));
      await service.release(id);
      rmSync(file, { force: true });
      rmSync(stateFile, { force: true });
      return reply.code(204).send();
    });
  };
}

function resumableRoutes(service: UploadService): FastifyPluginAsync {
  return resumableFlow<{ metadata: SealedMetadata }>(service, {
    url: RESUMABLE_PATH.slice('/api/v1'.length),
    folder: 'resumable',
    tag: 'Video upload',
    what: 'upload',
    async begin(request, user, size) {
      const metadata = service.parseMetadata((request.body ?? {}) as Record<string, unknown>);
      await service.checkAllowed(user, metadata, size);
      return { state: { metadata: await service.sealMetadata(metadata) }, quotaUserId: user.id };
    },
    async finish(_request, _reply, user, state, file, uploadId) {
      return { video: await service.createVideo(user, state.metadata, file, uploadId) };
    },
  });
}

/**
 * PeerTube's re-upload of a video's source (/videos/{id}/source/replace-resumable), by its owner
 * (or an admin), when uploads.allowReplace is on. The last chunk answers 204; the video keeps
 * playing its current media until the new one is transcoded (core/vod/transcode-job.ts).
 */
function replaceRoutes(context: AppContext, service: UploadService): FastifyPluginAsync {
  const videoOf = async (request: FastifyRequest) => {
    if (!context.config.uploads.allowReplace) {
      throw new HttpError(403, 'video_source_replacement_disabled', 'Replacing the source of a video is disabled on this instance');
    }
    return loadOwnedVideo(context, request, String((request.params as { id?: string }).id ?? ''));
  };
  return resumableFlow<{ videoId: number; filename: string }>(service, {
    url: '/videos/:id/source/replace-resumable',
    folder: 'replace',
    tag: 'Video upload',
    what: 'replacement of the video source',
    async begin(request, _user, size) {
      const video = await videoOf(request);
      await service.checkReplaceAllowed(video, size);
      const filename = String((request.body as Record<string, unknown> | undefined)?.filename ?? 'video').slice(0, 200);
      // The owner's quota holds it; the old original it replaces is freed.
      return { state: { videoId: video.id, filename }, quotaUserId: video.owner_user_id, creditBytes: Number(video.size_bytes ?? 0) };
    },
    async finish(request, reply, _user, state, file, uploadId) {
      const video = await videoOf(request);
      if (video.id !== state.videoId) throw uploadNotFound();
      await service.replaceSource(video, state.filename, file, uploadId);
      return reply.code(204).send();
    },
  });
}

export function uploadRoutes(context: AppContext, service: UploadService): FastifyPluginAsync {
  return async (app) => {
    // Upload bodies stay unread in the request stream: the handlers stream them to disk.
    app.addContentTypeParser('*', (_request, _payload, done) => done(null));
    await app.register(tusRoutes(context, service));
    await app.register(multipartRoute(service));
    await app.register(resumableRoutes(service));
    await app.register(replaceRoutes(context, service));
    // Unfinished uploads expire (uploads.unfinishedExpirySeconds): their files and quota go.
    const sweep = () => service.sweepExpired().catch((error: Error) => context.log.warn(`uploads: sweep failed: ${error.message}`));
    const timer = setInterval(() => void sweep(), sweepIntervalMs(service.limits.unfinishedExpirySeconds));
    timer.unref();
    app.addHook('onReady', async () => { void sweep(); });
    app.addHook('onClose', async () => clearInterval(timer));
  };
}
