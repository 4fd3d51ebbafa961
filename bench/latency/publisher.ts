// The publisher with a known clock: ffmpeg sends a synthetic 720p30 camera, frame numbers drawn
// in as a barcode (barcode.ts), in real time (-re) and reports, ten times a second, how much media
// it has sent. Each report gives wall clock − media time; the smallest is when media time 0 left
// (reports only ever come late).
import { spawn, type ChildProcess } from 'node:child_process';
import { FRAME_RATE, barcodeFilter } from './barcode.ts';

/**
 * Where frame n sits on the timeline that sendTime() reads: its source time n/30 plus the AAC
 * encoder's priming (1024 samples of the sine's 44.1 kHz). The muxer shifts every stream by that
 * much so that audio starts at 0: frame n goes out stamped n/30 + 23 ms, and -progress counts in
 * those stamps (checked against the FLV tags themselves).
 */
const AUDIO_PRIMING_SECONDS = 1024 / 44_100;
export const publishedTimeOf = (frame: number) => frame / FRAME_RATE + AUDIO_PRIMING_SECONDS;

export interface ClockedPublisher {
  /** Wall-clock ms at which the frame of media time `seconds` was sent. */
  sendTime(seconds: number): number;
  stop(): Promise<void>;
}

export function startPublisher(output: string[], options: { seconds: number }): ClockedPublisher {
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re',
    '-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=${FRAME_RATE}`, '-f', 'lavfi', '-i', 'sine=frequency=440',
    '-t', String(options.seconds),
    // Every frame carries its number, so that a pipeline that rewrites timestamps can be measured too.
    '-vf', barcodeFilter(1280, 720),
    // A long GOP: the server's transcoder starts on the first keyframe, so its media time 0 is ours.
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '120', '-c:a', 'aac',
    '-progress', 'pipe:1', '-stats_period', '0.1', ...output];
  const child: ChildProcess = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let offsetMs = Number.POSITIVE_INFINITY;
  let buffer = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    const now = Date.now();
    buffer += text;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      const match = /^out_time_us=(\d+)/.exec(line);
      if (match) offsetMs = Math.min(offsetMs, now - Number(match[1]) / 1000);
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    sendTime: (seconds) => offsetMs + seconds * 1000,
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
