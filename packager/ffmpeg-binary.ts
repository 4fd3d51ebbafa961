// Finds the ffmpeg to run: the configured path, else the system's, else the static build
// shipped in the optional npm package @ffmpeg-installer/linux-x64 (ffmpeg 4.1: no SRT).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { runFfmpeg } from './ffmpeg-process.ts';

export interface FfmpegBinary {
  ffmpeg: string;
  /** ffprobe is not shipped with the bundled build; undefined when none was found. */
  ffprobe: string | undefined;
  origin: 'configured' | 'system' | 'bundled';
  version: string;
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function bundledFfmpeg(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const manifest = require.resolve('@ffmpeg-installer/linux-x64/package.json');
    const binary = join(dirname(manifest), 'ffmpeg');
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

async function versionOf(binary: string): Promise<string | undefined> {
  const result = await runFfmpeg(binary, ['-hide_banner', '-version'], 10_000);
  if (result.code !== 0) return undefined;
  return /version (\S+)/.exec(result.stdout)?.[1] ?? 'unknown';
}

export async function locateFfmpeg(configured: { ffmpeg: string; ffprobe: string }): Promise<FfmpegBinary> {
  const candidates: Array<[string | undefined, FfmpegBinary['origin']]> = configured.ffmpeg
    ? [[configured.ffmpeg, 'configured']]
    : [[findOnPath('ffmpeg'), 'system'], [bundledFfmpeg(), 'bundled']];
  for (const [path, origin] of candidates) {
    if (!path) continue;
    const version = await versionOf(path);
    if (!version) continue;
    const ffprobe = configured.ffprobe || (origin === 'bundled' ? findOnPath('ffprobe') : join(dirname(path), 'ffprobe'));
    return { ffmpeg: path, ffprobe: ffprobe && existsSync(ffprobe) ? ffprobe : findOnPath('ffprobe'), origin, version };
  }
  throw new Error(configured.ffmpeg
    ? `ffmpeg.path: ${configured.ffmpeg} does not run`
    : 'no ffmpeg found: install it (apt-get install ffmpeg) or run npm ci to get the bundled fallback');
}
