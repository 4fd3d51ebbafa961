// Valid media to mutate: a short FLV and a fragmented MP4 made once per process by the real ffmpeg,
// the same encoders a publisher and our transcoder use (small, so a mutation lands in the headers often).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const SOURCE = ['-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=15', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '1',
  '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '5', '-c:a', 'aac', '-b:a', '32k'];

const made = new Map<string, Promise<Buffer>>();

function encode(name: string, output: string[]): Promise<Buffer> {
  let bytes = made.get(name);
  if (!bytes) {
    bytes = (async () => {
      const dir = mkdtempSync(join(tmpdir(), 'livecast-fuzz-seed-'));
      try {
        const file = join(dir, name);
        await execFileAsync('ffmpeg', ['-v', 'error', '-y', ...SOURCE, ...output, file]);
        return readFileSync(file);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    })();
    made.set(name, bytes);
  }
  return bytes;
}

/** An FLV file as a publisher sends it: header, metadata, AVC and AAC headers, then frames. */
export const flvSeed = () => encode('seed.flv', ['-f', 'flv']);

/** A fragmented MP4 as our transcoder writes it (the flags packager/fmp4 requires). */
export const fmp4Seed = () => encode('seed.mp4', ['-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof+dash', '-frag_duration', '200000']);

/** Splits a buffer into pieces of random sizes (a socket never delivers whole boxes or tags). */
export function randomPieces(bytes: Buffer, nextSize: () => number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const size = Math.max(1, nextSize());
    pieces.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return pieces;
}
