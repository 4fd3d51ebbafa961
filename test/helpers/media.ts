// Fetches a rendition's init segment and one media segment, and asks ffprobe what they hold.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface ProbedStream { codec_name: string; codec_type: string; height?: number; width?: number }

export function parsePlaylist(text: string): { uris: string[]; map: string | undefined; discontinuities: number; ended: boolean } {
  const lines = text.split('\n').map((line) => line.trim());
  const map = /#EXT-X-MAP:URI="([^"]+)"/.exec(text)?.[1];
  return {
    uris: lines.filter((line) => line && !line.startsWith('#')),
    map,
    discontinuities: lines.filter((line) => line === '#EXT-X-DISCONTINUITY').length,
    ended: lines.includes('#EXT-X-ENDLIST'),
  };
}

export async function fetchText(url: string): Promise<string> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status}`);
  return response.text();
}

async function fetchBytes(url: string): Promise<Buffer> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** Probes init + the newest complete segment of the variant playlist at `variantUrl`. */
export async function probeVariant(variantUrl: string): Promise<ProbedStream[]> {
  const playlist = parsePlaylist(await fetchText(variantUrl));
  if (!playlist.map || playlist.uris.length === 0) throw new Error(`${variantUrl} has no segments yet`);
  const base = new URL('.', variantUrl);
  const init = await fetchBytes(new URL(playlist.map, base).href);
  const segment = await fetchBytes(new URL(playlist.uris[playlist.uris.length - 1], base).href);
  const dir = mkdtempSync(join(tmpdir(), 'livecast-probe-'));
  try {
    const file = join(dir, 'sample.mp4');
    writeFileSync(file, Buffer.concat([init, segment]));
    // Decode every frame: a segment that only parses is not enough.
    await execFileAsync('ffmpeg', ['-v', 'error', '-xerror', '-i', file, '-f', 'null', '-']);
    const { stdout } = await execFileAsync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', file]);
    return (JSON.parse(stdout) as { streams: ProbedStream[] }).streams;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
