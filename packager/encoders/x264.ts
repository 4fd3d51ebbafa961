import { bitrateArgs, scaleSize, type EncoderBackend } from './types.ts';

export const x264: EncoderBackend = {
  id: 'libx264',
  supports: (codec) => codec === 'h264',
  inputArgs: () => [],
  filters: (rung) => `scale=${scaleSize(rung)}:flags=bilinear,format=yuv420p`,
  variantArgs: (rung, caps) => [
    `-c:v:${rung.index}`, 'libx264',
    `-preset:v:${rung.index}`, caps.x264Preset,
    // zerolatency drops lookahead and B-frames: lower delay, and WHEP-compatible later.
    `-tune:v:${rung.index}`, 'zerolatency',
    `-profile:v:${rung.index}`, 'high',
    ...bitrateArgs(rung),
  ],
};
