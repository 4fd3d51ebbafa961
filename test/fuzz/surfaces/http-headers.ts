// HTTP request lines and headers, sent raw over TCP: bad methods, paths, versions, framing
// (Content-Length / Transfer-Encoding), huge or invalid headers, hostile credentials, Range and
// conditional headers, against the real routes (API, media, uploads). The server must answer 4xx
// (or close) to anything it cannot take: a 5xx or a socket left open is a crash.
import type { FuzzContext, FuzzResult, FuzzSurface } from '../surface.ts';
import { Rng } from '../rng.ts';
import { crashNoter, fuzzIds, rawRequest, runPool, type FuzzIds } from '../http-client.ts';

const ANSWER_TIMEOUT_MS = 15_000;
const CONCURRENCY = 6;
const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];

/** Strings that have broken parsers elsewhere. */
const NASTY = ['', ' ', '\0', '%00', '%', '%zz', '%c0%ae', '..', '../../../../etc/passwd', '..%2f..%2fetc%2fpasswd', '%2e%2e%2f',
  '\u202e', '\ud800', '😀', 'null', 'undefined', 'NaN', '-1', '0', '1e309', '9'.repeat(40), '0x10', '[]', '{}', '__proto__',
  'constructor', "' OR 1=1 --", '<script>', '${7*7}', '\\', '//', '*', ';', ',', '=', '"', 'Bearer', 'bytes='];

/** Percent-encodes what it can; a lone surrogate goes out raw (that is an input too). */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text;
  }
}

function pathsOf(openapi: any): string[] {
  return Object.keys(openapi?.paths ?? {}).filter((path) => !/revoke-token|\/users\/me$/.test(path));
}

function fillPath(rng: Rng, template: string, ids: FuzzIds, uuid: string, writes: boolean): string {
  return template.replace(/\{[^}]+\}/g, () => {
    // Writes with the fuzz user's token go to the spare live only: the neighbour must stay on air.
    if (writes) return String(rng.pick([ids.spareId, ids.spareUuid]));
    return rng.chance(0.7) ? String(rng.pick([ids.liveId, uuid, ids.spareId, ids.spareUuid])) : encode(rng.pick(NASTY));
  });
}

function mediaPath(rng: Rng, uuid: string): string {
  const file = rng.pick(['master.m3u8', 'index.m3u8', 'init.mp4', 'part-0-0.m4s', 'segment-0.m4s', 'thumbnail.jpg', 'storyboard.jpg']);
  const parts = ['/static/streaming-playlists/hls', rng.chance(0.8) ? uuid : rng.pick(NASTY), rng.pick(['0', '1', 'vod-1', rng.pick(NASTY)])];
  if (rng.chance(0.6)) parts.push(String(rng.int(0, 3)));
  parts.push(rng.chance(0.8) ? file : rng.pick(NASTY));
  return parts.join('/');
}

function hostilePath(rng: Rng, path: string): string {
  switch (rng.int(0, 9)) {
    case 0: return path + '/' + '../'.repeat(rng.int(1, 20)) + 'etc/passwd';
    case 1: return path + '%00' + rng.pick(NASTY);
    case 2: return path + '?' + 'a'.repeat(rng.int(1000, 70_000));
    case 3: return path + '/' + 'x'.repeat(rng.int(1000, 70_000));
    case 4: return path + '?' + Array.from({ length: rng.int(10, 3000) }, (_, i) => `p${i % 7}=${encode(rng.pick(NASTY))}`).join('&');
    case 5: return path.replace(/\//g, rng.pick(['%2f', '//', '/./', '\\']));
    case 6: return rng.pick(['*', 'http://127.0.0.1' + path, '//evil' + path, '', ' ', path + '#frag', path + ' ' + path]);
    case 7: return path + '?' + rng.pick(['start', 'count', 'sort', 'search', 'videoFileToken', 'nsfw', 'isLive']) + '=' + encode(rng.pick(NASTY));
    default: return path;
  }
}

function methodOf(rng: Rng): string {
  if (rng.chance(0.85)) return rng.pick(['GET', 'GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'OPTIONS', 'DELETE']);
  return rng.pick(['', 'get', 'G ET', 'GETT', 'CONNECT', 'TRACE', 'PROPFIND', 'QUERY', 'X'.repeat(rng.int(20, 5000)), '\0GET', 'GET\0', 'POST\t']);
}

function versionOf(rng: Rng): string {
  if (rng.chance(0.85)) return 'HTTP/1.1';
  return rng.pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/9.9', 'HTTP/1.1 extra', 'http/1.1', 'HTTP/1', '', 'HTTP/1.1\0']);
}

function authorization(rng: Rng, token: string): string {
  return rng.pick([
    `Bearer ${token}`, `Bearer ${token}x`, `bearer ${token}`, 'Bearer', 'Bearer ', `Bearer ${'a'.repeat(rng.int(100, 8000))}`,
    `Basic ${Buffer.from('root:x').toString('base64')}`, `Bearer ${token}, Bearer ${token}`, `Bearer ${rng.pick(NASTY)}`,
    `Bearer ${token.slice(0, rng.int(0, token.length))}`, `${rng.pick(NASTY)} ${rng.pick(NASTY)}`,
  ]);
}

function hostileHeaders(rng: Rng, token: string, writes: boolean): string[] {
  const headers: string[] = [];
  const add = (name: string, value: string) => headers.push(`${name}: ${value}`);
  const pool: Array<() => void> = [
    () => add('Authorization', writes ? `Bearer ${token}` : authorization(rng, token)),
    () => add('x-peertube-video-password', rng.pick([...NASTY, 'p'.repeat(rng.int(1, 12_000)), 'secret-password'])),
    () => add('Range', rng.pick(['bytes=0-0', 'bytes=-1', 'bytes=5-1', 'bytes=0-', 'bytes=99999999999999999999-', 'bytes=-0', 'bytes=a-b',
      'bytes=' + Array.from({ length: rng.int(2, 2000) }, (_, i) => `${i}-${i}`).join(','), 'items=0-1', 'bytes=--1', 'bytes=0-1,,'])),
    () => add(rng.pick(['If-None-Match', 'If-Match', 'If-Range']), rng.pick(['*', '"x"', 'W/"', '"' + 'e'.repeat(rng.int(1, 8000)), ...NASTY])),
    () => add(rng.pick(['If-Modified-Since', 'If-Unmodified-Since']), rng.pick(['Thu, 01 Jan 1970 00:00:00 GMT', 'garbage', '0', 'Sat, 31 Dec 275760 00:00:00 GMT', ...NASTY])),
    () => add('Content-Length', rng.pick(['0', '-1', '1', '10', '99999999999999999999', 'abc', '1, 2', ' 5', '0x10', '1e3', ''])),
    () => add('Transfer-Encoding', rng.pick(['chunked', 'gzip, chunked', 'chunked, chunked', 'identity', 'Chunked', 'chunked;x=1', 'xchunked', ''])),
    () => add('Content-Type', rng.pick(['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=', 'multipart/form-data',
      'application/offset+octet-stream', 'text/plain', 'application/json; charset=utf-7', 'application/sdp', '*/*', ...NASTY])),
    () => add('Content-Encoding', rng.pick(['gzip', 'br', 'deflate', 'zstd', 'x', ''])),
    () => add('Expect', rng.pick(['100-continue', '100-CONTINUE', 'x', ''])),
    () => { add('Connection', rng.pick(['Upgrade', 'close', 'keep-alive', 'x, Upgrade'])); add('Upgrade', rng.pick(['websocket', 'h2c', 'x'])); },
    () => add('X-Forwarded-For', rng.pick(['1.2.3.4', '::1', '1.2.3.4, 5.6.7.8', '999.999.999.999', 'unknown', ...NASTY])),
    () => add('Accept', rng.pick(['*/*', 'application/json', 'text/html', '', ...NASTY])),
    () => add('Accept-Encoding', rng.pick(['gzip', 'br;q=2', 'identity;q=0', '*;q=0', ...NASTY])),
    () => add('Origin', rng.pick(['null', 'http://evil', ...NASTY])),
    () => add('Cookie', `a=${'c'.repeat(rng.int(1, 20_000))}`),
    () => add('Tus-Resumable', rng.pick(['1.0.0', '0.2.2', '', ...NASTY])),
    () => add('Upload-Length', rng.pick(['0', '-1', '1', '99999999999999999999', ...NASTY])),
    () => add('Upload-Offset', rng.pick(['0', '-1', '5', '99999999999999999999', ...NASTY])),
    () => add('Upload-Metadata', rng.pick(['filename ' + Buffer.from('a.mp4').toString('base64'), 'filename', 'a b c', 'x ' + '!'.repeat(100), ...NASTY])),
    () => add('X-HTTP-Method-Override', rng.pick(['DELETE', 'PATCH', ...NASTY])),
    () => add(rng.pick(['X' + 'h'.repeat(rng.int(1, 300)), 'Bad Name', 'bad:name', 'bad\0name', 'é', '']), rng.pick(NASTY)),
    () => headers.push(rng.pick(['NoColonHeader', ' folded: line', '\tobs-fold', ': empty-name', 'X-Null: a\0b', 'X-CR: a\rb'])),
    () => { for (let i = rng.int(50, 2000); i > 0; i--) add(`X-Many-${i}`, 'v'); },
    () => add('X-Huge', 'h'.repeat(rng.int(8000, 100_000))),
  ];
  for (let i = rng.int(0, 6); i > 0; i--) rng.pick(pool)();
  return headers;
}

function bodyOf(rng: Rng): Buffer {
  switch (rng.int(0, 5)) {
    case 0: return Buffer.from('{"a":1}');
    case 1: return Buffer.from(`${rng.int(1, 20).toString(16)}\r\n${'x'.repeat(rng.int(0, 30))}\r\n0\r\n\r\n`);
    case 2: return Buffer.from(rng.pick(['0\r\n\r\n', 'zz\r\n', 'ffffffffffffffff\r\nabc', '5;ext=1\r\nhello\r\n0\r\nTrailer: x\r\n\r\n']));
    case 3: return rng.bytes(rng.int(1, 300));
    default: return Buffer.alloc(0);
  }
}

export function requestOf(rng: Rng, paths: string[], ids: FuzzIds, uuid: string, token: string): Buffer {
  let method = methodOf(rng);
  const authenticated = rng.chance(0.4);
  if (authenticated && method === 'DELETE') method = 'GET';
  const writes = authenticated && !SAFE_METHODS.includes(method);
  const base = rng.chance(0.3) ? mediaPath(rng, uuid) : fillPath(rng, rng.pick(paths), ids, uuid, writes);
  const path = writes ? base : hostilePath(rng, base);
  const lines = [`${method} ${path} ${versionOf(rng)}`];
  if (rng.chance(0.95)) lines.push(rng.chance(0.95) ? 'Host: 127.0.0.1' : `Host: ${rng.pick(NASTY)}`);
  if (authenticated) lines.push(`Authorization: Bearer ${token}`);
  lines.push(...hostileHeaders(rng, token, authenticated));
  const body = rng.chance(0.4) ? bodyOf(rng) : Buffer.alloc(0);
  if (body.length && !lines.some((line) => /^(content-length|transfer-encoding):/i.test(line))) lines.push(`Content-Length: ${body.length}`);
  const request = Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), body]);
  // Byte-level damage only to anonymous requests: a flipped byte must not aim the fuzz user's rights at the neighbour.
  return !authenticated && rng.chance(0.15) ? rng.mutate(request) : request;
}

async function run(context: FuzzContext): Promise<FuzzResult> {
  const { target, rng } = context;
  const ids = await fuzzIds(target);
  const openapi = await (await fetch(`${target.baseUrl}/api/v1/openapi.json`)).json();
  const paths = pathsOf(openapi);
  context.note(`${paths.length} API paths from openapi.json, plus the media routes`);
  const noteCrash = crashNoter(context);
  // Each input has its own Rng, seeded from the run's: a seed gives the same inputs whatever the timing.
  const seed = rng.int(0, 2 ** 31);
  return runPool(context.count, CONCURRENCY, async (index) => {
    const request = requestOf(new Rng(seed + index), paths, ids, target.liveVideoUuid, target.accessToken);
    const answer = await rawRequest(target.baseUrl, request, ANSWER_TIMEOUT_MS);
    const line = JSON.stringify(request.subarray(0, 300).toString('latin1'));
    if (answer.hung) { noteCrash('hang', `input ${index} left the socket open ${ANSWER_TIMEOUT_MS} ms: ${line}`); return true; }
    if (answer.status !== undefined && answer.status >= 500) {
      noteCrash(`HTTP ${answer.status}`, `input ${index}: ${line} -> ${JSON.stringify(answer.head)}`);
      return true;
    }
    return false;
  });
}

const surface: FuzzSurface = { name: 'http-headers', kind: 'network', run };
export default surface;
