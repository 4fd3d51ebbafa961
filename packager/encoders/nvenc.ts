import { bitrateArgs, scaleSize, type EncoderBackend } from './types.ts';

export const nvenc: EncoderBackend = {
  id: 'h264_nvenc',
  supports: (codec) => codec === 'h264',
  inputArgs: (caps) => caps.hardwareDecode ? ['-hwaccel', 'cuda', '-hwaccel_output_format', 'cuda'] : [],
  // With GPU decode the frames stay in CUDA memory; otherwise scale on the CPU and let nvenc upload.
  filters: (rung, caps) => caps.hardwareDecode
    ? `scale_cuda=${scaleSize(rung)}`
    : `scale=${scaleSize(rung)}:flags=bilinear,format=yuv420p`,
  variantArgs: (rung) => [
    `-c:v:${rung.index}`, 'h264_nvenc',
    `-preset:v:${rung.index}`, 'p4',
    `-tune:v:${rung.index}`, 'll',
    `-rc:v:${rung.index}`, 'cbr',
    `-forced-idr:v:${rung.index}`, '1',
    `-bf:v:${rung.index}`, '0',
    ...bitrateArgs(rung),
  ],
};
