import { bitrateArgs, scaleSize, type EncoderBackend } from './types.ts';

export const vaapi: EncoderBackend = {
  id: 'h264_vaapi',
  supports: (codec) => codec === 'h264',
  inputArgs: (caps) => caps.hardwareDecode
    ? ['-vaapi_device', caps.vaapiDevice, '-hwaccel', 'vaapi', '-hwaccel_output_format', 'vaapi']
    : ['-vaapi_device', caps.vaapiDevice],
  filters: (rung, caps) => {
    const [width, height] = scaleSize(rung).split(':');
    const scale = `scale_vaapi=w=${width}:h=${height}`;
    return caps.hardwareDecode ? scale : `format=nv12,hwupload,${scale}`;
  },
  variantArgs: (rung) => [
    `-c:v:${rung.index}`, 'h264_vaapi',
    `-bf:v:${rung.index}`, '0',
    ...bitrateArgs(rung),
  ],
};
