import type { EncoderBackend, EncoderId } from './types.ts';
import { x264 } from './x264.ts';
import { nvenc } from './nvenc.ts';
import { vaapi } from './vaapi.ts';
import { qsv } from './qsv.ts';
import { copy } from './copy.ts';

export const ENCODERS: Record<EncoderId, EncoderBackend> = {
  libx264: x264,
  h264_nvenc: nvenc,
  h264_vaapi: vaapi,
  h264_qsv: qsv,
  copy,
};

/** The order `auto` tries: GPUs first, the CPU last. */
export const AUTO_ORDER: EncoderId[] = ['h264_nvenc', 'h264_vaapi', 'h264_qsv', 'libx264'];

export function encoderById(id: EncoderId): EncoderBackend {
  return ENCODERS[id];
}
