import type { EncoderBackend } from './types.ts';

/** Passes the source video through untouched: segments can only cut at the publisher's keyframes. */
export const copy: EncoderBackend = {
  id: 'copy',
  supports: (codec) => codec === 'h264',
  inputArgs: () => [],
  filters: () => '',
  variantArgs: (rung) => [`-c:v:${rung.index}`, 'copy'],
};
