// A real RTMP publisher: ffmpeg sending a synthetic camera and microphone, as OBS would.
import { spawn, type ChildProcess } from 'node:child_process';
import { settleWithin } from './wait.ts';

export interface Publisher {
  process: ChildProcess;
  /** Resolves with ffmpeg's exit code. */
  exited: Promise<number | null>;
  stderr(): string;
  stop(): Promise<void>;
}

export interface PublishOptions {
  width?: number;
  height?: number;
  seconds?: number;
  audio?: boolean;
  /** OBS's containers: FLV over RTMP, MPEG-TS over SRT. */
  container?: 'flv' | 'mpegts';
  /** AAC, or Opus (which OBS 30 offers for SRT). */
  audioCodec?: 'aac' | 'libopus';
}

export function publish(url: string, options: PublishOptions = {}): Publisher {
  const { width = 1280, height = 720, seconds = 60, audio = true, container = 'flv', audioCodec = 'aac' } = options;
  const args = ['-hide_banner', '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=30`];
  if (audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440');
  args.push('-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '60');
  if (audio) args.push('-c:a', audioCodec);
  args.push('-f', container, url);
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => { stderr += text; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    process: child,
    exited,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      if (await settleWithin(exited, 5000) === 'timeout') child.kill('SIGKILL');
      await exited;
    },
  };
}
