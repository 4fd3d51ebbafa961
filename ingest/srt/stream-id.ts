// The SRT Stream ID: how a caller names what it wants, and where OBS puts the stream key
// (`srt://host:port?streamid=<key>`). Two forms are accepted:
//   - a bare key, as OBS users paste it;
//   - the SRT Access Control syntax, `#!::r=<key>,m=publish` (keys u, r, h, s, t, m; values end at a comma).
// On the wire (handshake extension SRT_CMD_SID) libsrt writes the string as 32-bit words, each
// word's bytes reversed ("abcdefg" -> "dcba" "\0gfe"), zero-padded to a multiple of four.
import { RejectCode } from './handshake.ts';

/** libsrt refuses longer ids (SRT_STREAMID_MAX). */
const STREAM_ID_MAX_LENGTH = 512;
const ACCESS_CONTROL_PREFIX = '#!::';

/** Decodes the SID extension's bytes into the caller's string. */
export function decodeStreamIdField(field: Buffer): string {
  const bytes = Buffer.alloc(field.length - (field.length % 4));
  for (let word = 0; word < bytes.length; word += 4) {
    for (let i = 0; i < 4; i++) bytes[word + i] = field[word + 3 - i];
  }
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}

/** The inverse of decodeStreamIdField (tests, and any future SRT caller). */
export function encodeStreamIdField(streamId: string): Buffer {
  const text = Buffer.from(streamId, 'utf8');
  const padded = Buffer.alloc(Math.ceil(text.length / 4) * 4);
  text.copy(padded);
  const field = Buffer.alloc(padded.length);
  for (let word = 0; word < padded.length; word += 4) {
    for (let i = 0; i < 4; i++) field[word + i] = padded[word + 3 - i];
  }
  return field;
}

export type StreamIdParse =
  | { ok: true; streamKey: string }
  /** code: the SRT_REJX_* rejection to answer with (1400 bad request, 1405 bad mode). */
  | { ok: false; code: number; reason: string };

const fail = (code: number, reason: string): StreamIdParse => ({ ok: false, code, reason });

/** Finds the stream key in a Stream ID, refusing anything that is not a publish of a live stream. */
export function parseStreamId(streamId: string | undefined): StreamIdParse {
  if (!streamId) return fail(RejectCode.BAD_REQUEST, 'no stream id (OBS: srt://host:port?streamid=<stream key>)');
  if (streamId.length > STREAM_ID_MAX_LENGTH) return fail(RejectCode.BAD_REQUEST, 'stream id too long');
  // Control characters never belong in a key; refusing them keeps log lines and lookups clean.
  if (/[\u0000-\u001f\u007f]/.test(streamId)) return fail(RejectCode.BAD_REQUEST, 'stream id has control characters');
  if (!streamId.startsWith(ACCESS_CONTROL_PREFIX)) return { ok: true, streamKey: streamId };

  const fields = new Map<string, string>();
  for (const item of streamId.slice(ACCESS_CONTROL_PREFIX.length).split(',')) {
    const equals = item.indexOf('=');
    if (equals <= 0) return fail(RejectCode.BAD_REQUEST, `malformed stream id item "${item.slice(0, 32)}"`);
    const key = item.slice(0, equals);
    if (fields.has(key)) return fail(RejectCode.BAD_REQUEST, `stream id repeats "${key}"`);
    fields.set(key, item.slice(equals + 1));
  }
  // The guidelines make "request" (play) the default mode. This port only ingests, so an absent
  // mode is read as publish, and an explicit other mode is refused with the code made for it.
  const mode = fields.get('m') ?? 'publish';
  if (mode !== 'publish') return fail(RejectCode.BAD_MODE, `stream id asks for mode "${mode}"; this port only takes m=publish`);
  const type = fields.get('t') ?? 'stream';
  if (type !== 'stream') return fail(RejectCode.NOTSUP_MEDIA, `stream id asks for type "${type}"; only t=stream is served`);
  const resource = fields.get('r');
  if (!resource) return fail(RejectCode.BAD_REQUEST, 'stream id has no resource (r=<stream key>)');
  return { ok: true, streamKey: resource };
}
