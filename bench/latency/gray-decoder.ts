// ffmpeg as this bench's video decoder: compressed video in on stdin, small 8-bit gray frames out
// on stdout (enough to read the barcode). Live use stamps each frame with the wall time it came
// out of the decoder; offline use just collects the frames.
import { spawn, type ChildProcess } from 'node:child_process';
import { GRAY_FILTER, GRAY_HEIGHT, GRAY_WIDTH } from './barcode.ts';

const FRAME_BYTES = GRAY_WIDTH * GRAY_HEIGHT;
const STOP_TIMEOUT_MS = 3000;

export interface GrayDecoder {
  write(bytes: Uint8Array): void;
  /** Ends the input and waits (bounded) until ffmpeg has decoded and handed over everything. */
  finish(): Promise<void>;
  /** Stops at once (live use): what is still in flight is dropped, and so are complaints about it. */
  close(): Promise<void>;
}

/** Cuts stdout's byte stream into whole frames. */
function frameSplitter(onFrame: (frame: Uint8Array) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let offset = 0;
    for (; offset + FRAME_BYTES <= pending.length; offset += FRAME_BYTES) onFrame(pending.subarray(offset, offset + FRAME_BYTES));
    pending = pending.subarray(offset);
  };
}

/**
 * `inputArgs` name the input format (e.g. ['-f', 'h264']). One thread for the decoder and for the
 * rawvideo "encoder" alike: both are frame-threaded by default, and frame threading holds back
 * (threads − 1) frames (measured with ffmpeg 5.1 on 2 cores: rawvideo held each frame until the
 * next one came, a whole frame interval). Every frame is passed through (no rate conversion), and
 * each is flushed to the pipe at once instead of waiting for ffmpeg's 32 KiB output buffer.
 */
export function startGrayDecoder(inputArgs: string[], onFrame: (frame: Uint8Array) => void): GrayDecoder {
  const args = ['-hide_banner', '-loglevel', 'error', '-threads', '1', ...inputArgs, '-i', 'pipe:0',
    '-vf', GRAY_FILTER, '-fps_mode', 'passthrough', '-threads', '1', '-f', 'rawvideo', '-flush_packets', '1', 'pipe:1'];
  const child: ChildProcess = spawn('ffmpeg', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdout!.on('data', frameSplitter(onFrame));
  let closing = false;
  child.stderr!.on('data', (text: Buffer) => { if (!closing) process.stderr.write(text); });
  // A decoder that died mid-run must not crash the bench with EPIPE; its frames just stop.
  child.stdin!.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const waitForExit = async () => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  return {
    write(bytes) {
      if (child.exitCode === null && child.stdin!.writable) child.stdin!.write(bytes);
    },
    async finish() {
      child.stdin!.end();
      await waitForExit();
    },
    async close() {
      closing = true;
      child.stdin!.destroy();
      child.kill('SIGTERM');
      await waitForExit();
    },
  };
}

/** Decodes a whole byte string (e.g. an fMP4 init segment and parts) to gray frames, in order. */
export async function decodeGrayFrames(inputArgs: string[], bytes: Uint8Array): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  const decoder = startGrayDecoder(inputArgs, (frame) => frames.push(Uint8Array.from(frame)));
  decoder.write(bytes);
  await decoder.finish();
  return frames;
}
