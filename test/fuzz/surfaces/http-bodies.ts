// Mutated JSON, form and multipart bodies for the main POST/PUT routes (token, register, video
// and live updates, live creation, comments, chat settings, passwords, chapters, uploads), with
// and without the fuzz user's bearer token. Anything the server cannot take must be a 4xx: a 5xx
// or a request with no answer is a crash. Writes go to a spare live, never to the neighbour.
import type { FuzzContext, FuzzResult, FuzzSurface } from '../surface.ts';
import { Rng } from '../rng.ts';
import { boundedFetch, crashNoter, fuzzIds, runPool, type FuzzIds } from '../http-client.ts';

const ANSWER_TIMEOUT_MS = 15_000;
// Two at a time: password grants cost a scrypt each, and the neighbour shares libuv's pool with them.
const CONCURRENCY = 2;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Route { method: 'POST' | 'PUT'; path: string; body: Json; form?: boolean; multipart?: boolean; headers?: Record<string, string> }

function routesOf(ids: FuzzIds, rng: Rng): Route[] {
  const spare = rng.pick([ids.spareId, ids.spareUuid]);
  return [
    { method: 'POST', path: '/api/v1/users/token', form: true, body: { client_id: 'x', client_secret: 'y', grant_type: 'password', username: 'nobody', password: 'wrong-password' } },
    { method: 'POST', path: '/api/v1/users/token', body: { client_id: 'x', client_secret: 'y', grant_type: 'refresh_token', refresh_token: 'r' } },
    { method: 'POST', path: '/api/v1/users/register', body: { username: 'fuzzer', password: 'fuzz-password', email: 'f@example.com', displayName: 'F', channel: { name: 'fuzz_channel', displayName: 'C' } } },
    { method: 'PUT', path: `/api/v1/videos/${spare}`, body: { name: 'renamed', description: 'd', privacy: 1, commentsEnabled: true, tags: ['a', 'b'], category: 1, licence: 1, language: 'en', nsfw: false, downloadEnabled: true, support: 's' } },
    { method: 'POST', path: '/api/v1/videos/live', body: { channelId: ids.channelId, name: 'fuzz live', privacy: 1, saveReplay: true, permanentLive: false, latencyMode: 1, replaySettings: { privacy: 1 } } },
    { method: 'PUT', path: `/api/v1/videos/live/${spare}`, body: { saveReplay: true, permanentLive: false, latencyMode: 2, replaySettings: { privacy: 2 } } },
    { method: 'POST', path: `/api/v1/videos/${spare}/comment-threads`, body: { text: 'hello' } },
    { method: 'POST', path: `/api/v1/videos/${spare}/comments/${rng.int(1, 5)}`, body: { text: 'reply' } },
    { method: 'PUT', path: `/api/v1/videos/${spare}/chat/settings`, body: { enabled: true, mode: 'open', slowModeSeconds: 0, forbiddenWords: ['x'], anonymousAllowed: true } },
    { method: 'PUT', path: `/api/v1/videos/${spare}/passwords`, body: { passwords: ['password-one', 'password-two'] } },
    { method: 'POST', path: `/api/v1/videos/${spare}/passwords`, body: { password: 'password-three' } },
    { method: 'POST', path: `/api/v1/videos/${spare}/token`, body: {}, headers: { 'x-peertube-video-password': 'password-one' } },
    { method: 'PUT', path: `/api/v1/videos/${spare}/chapters`, body: { chapters: [{ timecode: 0, title: 'Start' }, { timecode: 10, title: 'Next' }] } },
    { method: 'POST', path: `/api/v1/videos/${spare}/views`, body: { currentTime: 3, viewEvent: 'seek', sessionId: 's' } },
    { method: 'POST', path: '/api/v1/users/me/subscriptions', body: { uri: 'fuzz_channel@127.0.0.1' } },
    { method: 'POST', path: '/api/v1/videos/upload-resumable', body: { channelId: ids.channelId, name: 'fuzz upload', filename: 'a.mp4', privacy: 1 }, headers: { 'x-upload-content-length': '1000', 'x-upload-content-type': 'video/mp4' } },
    { method: 'POST', path: '/api/v1/videos/upload', multipart: true, body: { channelId: ids.channelId, name: 'fuzz upload', privacy: 1 } },
  ];
}

const HOSTILE: Array<(rng: Rng) => Json> = [
  () => null, () => true, () => false, () => 0, () => -1, () => 1.5, () => 2 ** 53 + 2, () => -(2 ** 63), () => 1e308, () => -1e-308,
  () => '', () => ' ', () => '\0', () => '\u202e\ud83d', () => '0', () => '-1', () => 'NaN', () => 'true', () => '__proto__',
  // Mostly modest sizes: a stream of near-1 MB bodies raises the server's RSS high-water mark by
  // 200+ MB (V8 heap sizing, not a leak), which the runner's 50 MB memory promise would count; one in
  // twenty still goes past the body limit (413).
  (rng) => 'x'.repeat(rng.chance(0.05) ? rng.int(1_048_576, 1_100_000) : rng.int(256, 20_000)), (rng) => '😀'.repeat(rng.int(10, 2000)), () => '<script>alert(1)</script>', () => "'; DROP TABLE videos; --",
  () => [], () => [null], (rng) => Array.from({ length: rng.int(100, 3000) }, (_, i) => i), () => ({}),
  (rng) => Array.from({ length: rng.int(100, 3000) }, () => 'w'), () => ({ __proto__: { admin: true } } as unknown as Json),
];

function hostile(rng: Rng): Json {
  return rng.pick(HOSTILE)(rng);
}

function mutateValue(rng: Rng, value: Json, depth = 0): Json {
  if (rng.chance(0.15)) return hostile(rng);
  if (Array.isArray(value)) {
    const out = value.map((item) => mutateValue(rng, item, depth + 1));
    if (rng.chance(0.2)) out.push(hostile(rng));
    return out;
  }
  if (value && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [key, item] of Object.entries(value)) if (!rng.chance(0.1)) out[key] = mutateValue(rng, item, depth + 1);
    if (rng.chance(0.2)) out[rng.pick(['extra', 'id', 'userId', 'role', 'constructor', 'state', 'isLive', 'x'.repeat(rng.int(1, 2000))])] = hostile(rng);
    return out;
  }
  return value;
}

function deep(rng: Rng): string {
  const depth = rng.int(100, 20_000);
  return rng.chance(0.5) ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

function formOf(rng: Rng, body: Json): string {
  const pairs: string[] = [];
  const walk = (prefix: string, value: Json) => {
    if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) walk(prefix ? `${prefix}[${key}]` : key, item);
    } else {
      pairs.push(`${encodeURIComponent(prefix)}=${encodeURIComponent(String(value).replace(/[\ud800-\udfff]/g, '?'))}`);
    }
  };
  walk('', body);
  if (rng.chance(0.2)) pairs.push(...pairs.slice(0, rng.int(1, 3)));
  if (rng.chance(0.2)) pairs.push(rng.pick(['%', '%zz=1', '=', '&&&', 'a[=1', 'a[b][c][d][e][f][g]=1', 'a[]=1&a[]=2', '__proto__[x]=1']));
  return pairs.join('&');
}

function multipartOf(rng: Rng, body: Json): { type: string; bytes: Uint8Array } {
  const boundary = rng.chance(0.9) ? `----fuzz${rng.int(0, 1e9)}` : rng.pick(['', '"', 'a'.repeat(200), '--']);
  const parts: Buffer[] = [];
  for (const [key, value] of Object.entries(body && typeof body === 'object' && !Array.isArray(body) ? body : {})) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n${typeof value === 'string' ? value : JSON.stringify(value)}\r\n`));
  }
  const filename = rng.pick(['clip.mp4', '../../etc/passwd', 'a.m3u8', '', 'x'.repeat(1000), 'a\0.mp4', 'clip']);
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${rng.pick(['videofile', 'file', 'thumbnailfile', ''])}"; filename="${filename}"\r\nContent-Type: ${rng.pick(['video/mp4', 'application/x-mpegurl', 'text/plain'])}\r\n\r\n`));
  parts.push(rng.chance(0.5) ? Buffer.from('#EXTM3U\n#EXTINF:1,\nfile:/etc/passwd\n') : rng.bytes(rng.int(0, 2000)));
  if (rng.chance(0.8)) parts.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  let bytes: Buffer = Buffer.concat(parts);
  if (rng.chance(0.3)) bytes = rng.mutate(bytes);
  return { type: `multipart/form-data; boundary=${boundary}`, bytes: new Uint8Array(bytes) };
}

export function requestOf(rng: Rng, ids: FuzzIds, token: string): { route: Route; init: RequestInit } {
  const route = rng.pick(routesOf(ids, rng));
  const headers: Record<string, string> = { ...route.headers };
  if (rng.chance(0.7)) headers.authorization = `Bearer ${token}`;
  // A client address of its own now and then (loopback is a trusted proxy): the per-IP limits answer 429 to the rest.
  if (rng.chance(0.5)) headers['x-forwarded-for'] = `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
  const body = rng.chance(0.9) ? mutateValue(rng, route.body) : route.body;
  let payload: string | Uint8Array;
  if (route.multipart) {
    const multipart = multipartOf(rng, body);
    headers['content-type'] = multipart.type;
    payload = multipart.bytes;
  } else if (route.form || rng.chance(0.1)) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = formOf(rng, body);
  } else {
    headers['content-type'] = rng.chance(0.95) ? 'application/json' : rng.pick(['text/plain', 'application/json; charset=latin1', 'application/xml', 'application/json, text/plain']);
    payload = rng.chance(0.03) ? deep(rng) : JSON.stringify(body);
  }
  if (typeof payload === 'string' && rng.chance(0.1)) payload = new Uint8Array(rng.mutate(Buffer.from(payload)));
  return { route, init: { method: route.method, headers, body: payload as BodyInit } };
}

async function run(context: FuzzContext): Promise<FuzzResult> {
  const { target, rng } = context;
  const ids = await fuzzIds(target);
  const noteCrash = crashNoter(context);
  const seed = rng.int(0, 2 ** 31);
  return runPool(context.count, CONCURRENCY, async (index) => {
    const { route, init } = requestOf(new Rng(seed + index), ids, target.accessToken);
    const answer = await boundedFetch(`${target.baseUrl}${route.path}`, init, ANSWER_TIMEOUT_MS);
    const shown = `input ${index}: ${route.method} ${route.path} ${String(init.body).slice(0, 200)}`;
    if (answer.hung) { noteCrash('hang', shown); return true; }
    if (answer.status !== undefined && answer.status >= 500) { noteCrash(`HTTP ${answer.status}`, `${shown} -> ${answer.body}`); return true; }
    return false;
  });
}

const surface: FuzzSurface = { name: 'http-bodies', kind: 'network', run };
export default surface;
