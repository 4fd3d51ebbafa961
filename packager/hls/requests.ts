// Answers a request for a file in a rendition's folder, LL-HLS semantics included (blocking
// reloads, delta updates, hinted parts), as a transport-neutral reply for the HTTP layer.
import { parseDeliveryDirectives } from './delivery-directives.ts';
import type { RenditionReport } from './playlist.ts';
import type { LiveRendition } from './rendition.ts';
import { CONTENT_TYPES, parseMediaUri } from './uris.ts';

export type MediaReply =
  | { kind: 'body'; contentType: string; body: string | Uint8Array }
  | { kind: 'error'; status: 400 | 404 | 503; message: string }
  /** A segment or init segment no longer in memory: serve the sink's copy from disk (or 404). */
  | { kind: 'on-disk' };

export interface MediaRequestOptions {
  /** Query parameters (`_HLS_msn`, `_HLS_part`, `_HLS_skip`); only playlists use them. */
  query?: Readonly<Record<string, unknown>>;
  /** Siblings' positions, read after any wait so they are as fresh as this playlist. */
  renditionReports?: () => readonly RenditionReport[];
  /** The client went away: stop waiting. */
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** `name` is the file name inside the rendition's folder: index.m3u8, init-0.mp4, seg-12.m4s, part-57.m4s. */
export async function answerMediaRequest(rendition: LiveRendition, name: string, options: MediaRequestOptions = {}): Promise<MediaReply> {
  const uri = parseMediaUri(name);
  if (!uri) return notFound(name);
  switch (uri.kind) {
    case 'playlist':
      return answerPlaylist(rendition, options);
    case 'init': {
      const record = rendition.init(uri.version);
      return record ? { kind: 'body', contentType: CONTENT_TYPES.init, body: record.init.bytes } : { kind: 'on-disk' };
    }
    case 'segment': {
      const bytes = rendition.segmentBytes(uri.msn);
      return bytes ? { kind: 'body', contentType: CONTENT_TYPES.segment, body: bytes } : { kind: 'on-disk' };
    }
    case 'part':
      return answerPart(rendition, uri.number, options);
  }
}

async function answerPlaylist(rendition: LiveRendition, options: MediaRequestOptions): Promise<MediaReply> {
  const parsed = parseDeliveryDirectives(options.query ?? {});
  if (!parsed.ok) return { kind: 'error', status: 400, message: parsed.error };
  const { msn, part, skip } = parsed.directives;
  if (msn !== undefined) {
    const outcome = await rendition.blockUntil({ msn, part }, { signal: options.signal, timeoutMs: options.timeoutMs });
    if (outcome === 'too-far') return { kind: 'error', status: 400, message: `_HLS_msn=${msn} is more than two segments ahead` };
    if (outcome !== 'ready' && outcome !== 'ended') return { kind: 'error', status: 503, message: `blocking reload ${outcome}` };
  }
  const body = rendition.playlist({ deltaUpdate: skip, renditionReports: options.renditionReports?.() });
  return { kind: 'body', contentType: CONTENT_TYPES.playlist, body };
}

async function answerPart(rendition: LiveRendition, partNumber: number, options: MediaRequestOptions): Promise<MediaReply> {
  const outcome = await rendition.awaitPart(partNumber, { signal: options.signal, timeoutMs: options.timeoutMs });
  if (outcome.status === 'ready') return { kind: 'body', contentType: CONTENT_TYPES.part, body: outcome.part.bytes };
  if (outcome.status === 'not-found') return notFound(`part ${partNumber}`);
  return { kind: 'error', status: 503, message: `part ${partNumber}: ${outcome.status}` };
}

function notFound(what: string): MediaReply {
  return { kind: 'error', status: 404, message: `${what}: no such live resource` };
}
