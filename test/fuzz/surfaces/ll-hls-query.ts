// Hostile LL-HLS delivery directives (_HLS_msn, _HLS_part, _HLS_skip) and videoFileToken values
// on the neighbour live's playlists, hostile part and segment names (far future, huge, negative),
// and hostile paths under the media routes. The server must answer 4xx to what it cannot take, and
// a blocking reload must end within the packager's limit (three target durations) plus a margin.
import type { FuzzContext, FuzzResult, FuzzSurface } from '../surface.ts';
import { Rng } from '../rng.ts';
import { boundedFetch, crashNoter, runPool } from '../http-client.ts';

const CONCURRENCY = 8;
/** Beyond the packager's blocking limit: scheduling on a loaded machine, and the answer itself. */
const MARGIN_MS = 5000;
/** The packager blocks a reload for at most this many target durations (packager/hls/rendition.ts). */
const BLOCK_TARGETS = 3;

interface LivePlaylists { master: string; variants: string[]; targetSeconds: number; msn: number; part: number }

async function playlistsOf(baseUrl: string, uuid: string, token: string): Promise<LivePlaylists> {
  const headers = { authorization: `Bearer ${token}` };
  const video = await (await fetch(`${baseUrl}/api/v1/videos/${uuid}`, { headers })).json() as any;
  const master = new URL(video.streamingPlaylists[0].playlistUrl, baseUrl).toString();
  const masterText = await (await fetch(master, { headers })).text();
  const variants = masterText.split('\n').filter((line) => line && !line.startsWith('#')).map((uri) => new URL(uri.trim(), master).toString());
  const media = await (await fetch(variants[0], { headers })).text();
  const targetSeconds = Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(media)?.[1] ?? 6);
  const msn = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(media)?.[1] ?? 0) + media.split('#EXTINF').length - 1;
  const part = Number(/PRELOAD-HINT:TYPE=PART,URI="part-(\d+)\.m4s"/.exec(media)?.[1] ?? 0);
  return { master, variants, targetSeconds, msn, part };
}

const NASTY = ['', '-1', '-0', '0', '1.5', '1e3', '0x10', ' 1', '1 ', '+1', 'NaN', 'Infinity', '9'.repeat(16), '9'.repeat(400),
  '999999999999999', '18446744073709551616', '%00', '%2e%2e', '\0', 'YES', 'v2', 'yes', 'NO', '[]', '{}', '00', '01', '１'];

function value(rng: Rng, near: number): string {
  if (rng.chance(0.5)) return rng.pick(NASTY);
  return String(near + rng.int(-6, rng.chance(0.1) ? 1_000_000 : 4));
}

function queryOf(rng: Rng, live: LivePlaylists): string {
  const pairs: string[] = [];
  const add = (name: string, text: string) => pairs.push(`${name}=${rng.chance(0.9) ? encodeURIComponent(text) : text}`);
  if (rng.chance(0.8)) add('_HLS_msn', value(rng, live.msn));
  if (rng.chance(0.5)) add('_HLS_part', value(rng, 0));
  if (rng.chance(0.3)) add('_HLS_skip', rng.chance(0.5) ? rng.pick(['YES', 'v2']) : rng.pick(NASTY));
  if (rng.chance(0.2)) add(rng.pick(['_HLS_msn', '_HLS_part', '_HLS_skip']), value(rng, live.msn)); // repeated: an array
  if (rng.chance(0.1)) pairs.push(rng.pick(['_HLS_msn[]=1', '_HLS_msn[a]=1', '_HLS_msn', '_HLS_part=', '__proto__=1', '_hls_msn=1']));
  if (rng.chance(0.2)) add('videoFileToken', rng.pick([...NASTY, 'a'.repeat(rng.int(10, 5000)), 'v1.x.y', rng.bytes(24).toString('base64url')]));
  return pairs.length ? '?' + pairs.join('&') : '';
}

function fileOf(rng: Rng, live: LivePlaylists): string {
  switch (rng.int(0, 5)) {
    case 0: return `part-${live.part + rng.int(-3, 2)}.m4s`;
    case 1: return `part-${rng.pick(NASTY)}.m4s`;
    case 2: return `seg-${rng.chance(0.5) ? live.msn + rng.int(-5, 5) : rng.pick(NASTY)}.m4s`;
    case 3: return `init-${rng.pick(['0', '1', '-1', ...NASTY])}.mp4`;
    case 4: return rng.pick(['../index.m3u8', '..%2findex.m3u8', '%2e%2e/master.m3u8', 'index.m3u8%00', '..', '.', 'a'.repeat(rng.int(65, 9000)), 'INDEX.M3U8', 'index.m3u8/']);
    default: return 'index.m3u8';
  }
}

/** A URL under the media routes: mostly the neighbour's playlists with directives, sometimes a damaged path. */
export function urlOf(rng: Rng, live: LivePlaylists): string {
  const variant = rng.pick(live.variants);
  const playlist = rng.chance(0.6);
  if (playlist) return variant + queryOf(rng, live);
  const base = variant.slice(0, variant.lastIndexOf('/') + 1);
  if (rng.chance(0.8)) return base + fileOf(rng, live) + (rng.chance(0.2) ? queryOf(rng, live) : '');
  const url = new URL(variant);
  const segments = url.pathname.split('/');
  const at = rng.int(1, segments.length - 1);
  segments[at] = rng.pick(['..', '%2e%2e', '..%2f..%2f..', 'x'.repeat(rng.int(100, 20_000)), '', '%00', '-1', '99999999999999999999', segments[at].toUpperCase()]);
  return `${url.origin}${segments.join('/')}`;
}

async function run(context: FuzzContext): Promise<FuzzResult> {
  const { target, rng } = context;
  const live = await playlistsOf(target.baseUrl, target.liveVideoUuid, target.accessToken);
  const limitMs = BLOCK_TARGETS * live.targetSeconds * 1000 + MARGIN_MS;
  context.note(`${live.variants.length} renditions, target duration ${live.targetSeconds} s, hang limit ${limitMs} ms`);
  const noteCrash = crashNoter(context);
  const seed = rng.int(0, 2 ** 31);
  let longest = 0;
  const result = await runPool(context.count, CONCURRENCY, async (index) => {
    const input = new Rng(seed + index);
    // The live moves on: near values are aimed at where it was at the last refresh (every 100 inputs), as a player would.
    const url = urlOf(input, live);
    const started = Date.now();
    const answer = await boundedFetch(url, { headers: input.chance(0.3) ? { authorization: `Bearer ${target.accessToken}` } : {} }, limitMs);
    longest = Math.max(longest, Date.now() - started);
    if (answer.hung) { noteCrash('hang', `input ${index}: ${url.slice(0, 300)} did not answer within ${limitMs} ms`); return true; }
    if (answer.status !== undefined && answer.status >= 500) { noteCrash(`HTTP ${answer.status}`, `input ${index}: ${url.slice(0, 300)} -> ${answer.body}`); return true; }
    if (index % 100 === 0) Object.assign(live, await playlistsOf(target.baseUrl, target.liveVideoUuid, target.accessToken));
    return false;
  });
  context.note(`longest answer ${longest} ms`);
  return result;
}

const surface: FuzzSurface = { name: 'll-hls-query', kind: 'network', run };
export default surface;
