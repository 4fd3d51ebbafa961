import { bitrateArgs, scaleSize, type EncoderBackend } from './types.ts';

export const qsv: EncoderBackend = {
  id: 'h264_qsv',
  supports: (codec) => codec === 'h264',
  inputArgs: (caps) => caps.hardwareDecode
    ? ['-init_hw_device', 'qsv=hw', '-filter_hw_device', 'hw', '-hwaccel', 'qsv', '-hwaccel_output_format', 'qsv']
    : ['-init_hw_device', 'qsv=hw', '-filter_hw_device', 'hw'],
  filters: (rung, caps) => {
    const [width, height] = scaleSize(rung).split(':');
    const scale = `scale_qsv=w=${width}:h=${height}`;
    return caps.hardwareDecode ? scale : `format=nv12,hwupload=extra_hw_frames=64,${scale}`;
  },
  variantArgs: (rung) => [
    `-c:v:${rung.index}`, 'h264_qsv',
    `-preset:v:${rung.index}`, 'veryfast',
    `-bf:v:${rung.index}`, '0',
    ...bitrateArgs(rung),
  ],
};
