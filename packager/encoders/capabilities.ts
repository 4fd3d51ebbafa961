// Probes once at start-up which encoders this ffmpeg and machine can really use, and
// picks the back-end, walking the fallback chain out loud:
// hardware encode + hardware decode -> hardware encode + software decode -> libx264.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFfmpeg } from '../ffmpeg-process.ts';
import type { Capabilities, EncoderBackend, EncoderId } from './types.ts';
import { AUTO_ORDER, encoderById } from './registry.ts';

export type FallbackStep = 'hardware-encode+hardware-decode' | 'hardware-encode+software-decode' | 'software' | 'copy';

export interface TrialOutcome { encoder: EncoderId; hardwareDecode: boolean; ok: boolean; error?: string }

export interface EncoderSelection {
  requested: EncoderId | 'auto';
  backend: EncoderBackend;
  caps: Capabilities;
  step: FallbackStep;
  /** Encoders this ffmpeg was built with (from `ffmpeg -encoders`), among those we support. */
  compiledIn: EncoderId[];
  trials: TrialOutcome[];
}

export interface CapabilitySettings {
  ffmpegPath: string;
  encoder: EncoderId | 'auto';
  x264Preset: string;
  vaapiDevice: string;
  threads: number;
}

const TRIAL_TIMEOUT_MS = 20_000;
const HARDWARE: EncoderId[] = ['h264_nvenc', 'h264_vaapi', 'h264_qsv'];

async function listCompiledEncoders(ffmpegPath: string): Promise<EncoderId[]> {
  const result = await runFfmpeg(ffmpegPath, ['-hide_banner', '-encoders'], 10_000);
  const known: EncoderId[] = ['libx264', 'h264_nvenc', 'h264_vaapi', 'h264_qsv'];
  return known.filter((id) => new RegExp(`^\\s*V\\S*\\s+${id}\\s`, 'm').test(result.stdout));
}

/** One short encode through the same argument builders the live path uses. */
async function trialEncode(backend: EncoderBackend, caps: Capabilities, sample: string | undefined): Promise<string | undefined> {
  const rung = { index: 0, height: 144, videoBitrateKbps: 200, audioBitrateKbps: 64, passthrough: false };
  const input = caps.hardwareDecode && sample
    ? ['-i', sample]
    : ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=10:duration=1'];
  const args = ['-hide_banner', '-loglevel', 'error', ...backend.inputArgs(caps), ...input,
    '-filter_complex', `[0:v:0]${backend.filters(rung, caps)}[v0]`, '-map', '[v0]',
    ...backend.variantArgs(rung, caps), '-frames:v', '1', '-f', 'null', '-'];
  const result = await runFfmpeg(caps.ffmpegPath, args, TRIAL_TIMEOUT_MS);
  if (result.code === 0) return undefined;
  return (result.timedOut ? 'timed out' : result.stderr.trim().split('\n').slice(-2).join(' ')) || `exit ${result.code}`;
}

/** A tiny H.264 file so that the hardware-decode trial decodes real H.264. */
async function makeSample(ffmpegPath: string, dir: string): Promise<string | undefined> {
  const file = join(dir, 'sample.mp4');
  const result = await runFfmpeg(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi',
    '-i', 'testsrc2=size=320x240:rate=10:duration=1', '-c:v', 'libx264', '-preset', 'ultrafast', '-y', file], TRIAL_TIMEOUT_MS);
  return result.code === 0 ? file : undefined;
}

export async function selectEncoder(settings: CapabilitySettings): Promise<EncoderSelection> {
  const base: Capabilities = {
    ffmpegPath: settings.ffmpegPath,
    hardwareDecode: false,
    x264Preset: settings.x264Preset,
    vaapiDevice: settings.vaapiDevice,
    threads: settings.threads,
  };
  const compiledIn = await listCompiledEncoders(settings.ffmpegPath);
  const trials: TrialOutcome[] = [];
  const done = (id: EncoderId, hardwareDecode: boolean, step: FallbackStep): EncoderSelection =>
    ({ requested: settings.encoder, backend: encoderById(id), caps: { ...base, hardwareDecode }, step, compiledIn, trials });

  if (settings.encoder === 'copy') return done('copy', false, 'copy');

  const candidates = settings.encoder === 'auto' ? AUTO_ORDER : [settings.encoder, 'libx264' as const];
  const workDir = mkdtempSync(join(tmpdir(), 'livecast-probe-'));
  try {
    const sample = candidates.some((id) => HARDWARE.includes(id)) ? await makeSample(settings.ffmpegPath, workDir) : undefined;
    for (const id of candidates) {
      if (!compiledIn.includes(id)) {
        trials.push({ encoder: id, hardwareDecode: false, ok: false, error: 'not compiled into this ffmpeg' });
        continue;
      }
      const decodeModes = HARDWARE.includes(id) ? [true, false] : [false];
      for (const hardwareDecode of decodeModes) {
        const error = await trialEncode(encoderById(id), { ...base, hardwareDecode }, sample);
        trials.push({ encoder: id, hardwareDecode, ok: !error, error });
        if (!error) {
          const step: FallbackStep = !HARDWARE.includes(id) ? 'software'
            : hardwareDecode ? 'hardware-encode+hardware-decode' : 'hardware-encode+software-decode';
          return done(id, hardwareDecode, step);
        }
      }
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const reasons = trials.map((trial) => `${trial.encoder}${trial.hardwareDecode ? '+hwdec' : ''}: ${trial.error}`).join('; ');
  throw new Error(`no usable H.264 encoder (${reasons})`);
}
