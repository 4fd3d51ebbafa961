// A video's storyboard (PeerTube's shape): one sprite sheet of small frames, one every
// spriteDuration seconds, at most ~100 of them, plus a WebVTT thumbnails track pointing into it.
// Pure builders here; the run itself goes through ffmpeg-process.ts.
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnFfmpeg } from '../ffmpeg-process.ts';

export const STORYBOARD_IMAGE = 'storyboard.jpg';
const STORYBOARD_VTT = 'storyboard.vtt';
const SPRITE_WIDTH = 160;
const MAX_SPRITES = 100;
const COLUMNS = 10;

export interface StoryboardPlan { spriteDuration: number; count: number; columns: number; rows: number }

export function planStoryboard(durationSeconds: number): StoryboardPlan {
  const duration = Math.max(1, durationSeconds);
  const spriteDuration = Math.max(1, Math.ceil(duration / MAX_SPRITES));
  const count = Math.max(1, Math.ceil(duration / spriteDuration));
  const columns = Math.min(COLUMNS, count);
  return { spriteDuration, count, columns, rows: Math.ceil(count / columns) };
}

function storyboardArgs(input: string, output: string, plan: StoryboardPlan): string[] {
  return ['-hide_banner', '-nostdin', '-loglevel', 'info', '-nostats', '-y',
    // Our HLS lists .m4s segments, which the HLS demuxer only opens when told to. The input is our
    // own output, but it is read through local files only all the same.
    ...(input.endsWith('.m3u8') ? ['-allowed_extensions', 'ALL'] : []), '-protocol_whitelist', 'file', '-i', input,
    '-an', '-vf', `fps=1/${plan.spriteDuration},showinfo,scale=${SPRITE_WIDTH}:-2,tile=${plan.columns}x${plan.rows}`,
    '-frames:v', '1', '-q:v', '5', output];
}

/** Width and height of a baseline or progressive JPEG, from its SOF marker. */
export function jpegSize(data: Buffer): { width: number; height: number } | undefined {
  if (data[0] !== 0xff || data[1] !== 0xd8) return undefined;
  let offset = 2;
  while (offset + 9 < data.length) {
    if (data[offset] !== 0xff) { offset++; continue; }
    const marker = data[offset + 1];
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { offset += 2; continue; }
    const length = data.readUInt16BE(offset + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: data.readUInt16BE(offset + 5), width: data.readUInt16BE(offset + 7) };
    }
    offset += 2 + length;
  }
  return undefined;
}

function vttTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const pad = (value: number, size = 2) => String(value).padStart(size, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
}

/** The WebVTT thumbnails track: one cue per sprite, `storyboard.jpg#xywh=x,y,w,h`, covering the whole duration. */
export function storyboardVtt(imageUrl: string, durationSeconds: number, plan: StoryboardPlan, sprite: { width: number; height: number }): string {
  const lines = ['WEBVTT', ''];
  for (let index = 0; index < plan.count; index++) {
    const start = index * plan.spriteDuration;
    if (start >= durationSeconds && index > 0) break;
    const end = index === plan.count - 1 ? Math.max(durationSeconds, start + 0.001) : Math.min(durationSeconds, start + plan.spriteDuration);
    const x = (index % plan.columns) * sprite.width;
    const y = Math.floor(index / plan.columns) * sprite.height;
    lines.push(`${vttTime(start)} --> ${vttTime(end)}`, `${imageUrl}#xywh=${x},${y},${sprite.width},${sprite.height}`, '');
  }
  return lines.join('\n');
}

export interface StoryboardResult { totalWidth: number; totalHeight: number; spriteWidth: number; spriteHeight: number; spriteDuration: number }

/**
 * Makes storyboard.jpg and storyboard.vtt in `outputDir` from `input` (an on-demand playlist or a
 * file). `onProgress` gets 0..1 from ffmpeg's position. Files are written under temporary names
 * and renamed, so a reader never sees half of one.
 */
export async function makeStoryboard(options: {
  ffmpegPath: string; input: string; outputDir: string; durationSeconds: number; imageUrl: string;
  onProgress?: (fraction: number) => void;
  /** The job's abort signal: ffmpeg is stopped and the run throws. */
  signal?: AbortSignal;
}): Promise<StoryboardResult> {
  const plan = planStoryboard(options.durationSeconds);
  const image = join(options.outputDir, STORYBOARD_IMAGE);
  // Unique to this run: two runs of one job (a retry beside an expired run) never write one file.
  const run = randomBytes(6).toString('hex');
  const partial = join(options.outputDir, `partial-${run}-${STORYBOARD_IMAGE}`);
  const handle = spawnFfmpeg(options.ffmpegPath, storyboardArgs(options.input, partial, plan), {
    signal: options.signal,
    onStderrLine: (line) => {
      // showinfo logs each sampled frame (one per sprite) with its position.
      const match = /showinfo.*pts_time:\s*(\d+(?:\.\d+)?)/.exec(line);
      if (match && options.durationSeconds > 0) {
        options.onProgress?.(Math.min(0.99, (Number(match[1]) + plan.spriteDuration) / options.durationSeconds));
      }
    },
  });
  const { code } = await handle.exited;
  if (code !== 0 || options.signal?.aborted) {
    rmSync(partial, { force: true });
    throw new Error(options.signal?.aborted ? 'storyboard stopped: its job was aborted' : `storyboard ffmpeg exited with ${code}: ${handle.stderrTail()}`);
  }
  const size = jpegSize(readFileSync(partial));
  if (!size) throw new Error('storyboard: ffmpeg wrote no readable JPEG');
  const sprite = { width: Math.round(size.width / plan.columns), height: Math.round(size.height / plan.rows) };
  renameSync(partial, image);
  const vtt = storyboardVtt(options.imageUrl, options.durationSeconds, plan, sprite);
  writeFileSync(join(options.outputDir, `partial-${run}-${STORYBOARD_VTT}`), vtt);
  renameSync(join(options.outputDir, `partial-${run}-${STORYBOARD_VTT}`), join(options.outputDir, STORYBOARD_VTT));
  return { totalWidth: size.width, totalHeight: size.height, spriteWidth: sprite.width, spriteHeight: sprite.height, spriteDuration: plan.spriteDuration };
}
