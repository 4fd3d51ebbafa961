// On-demand transcoding of uploaded files: probe, HLS ladder, master playlist, thumbnail.
export { probeSource, parseFfprobeJson, parseFfmpegBanner, UnusableSourceError,  } from './probe.ts';
export { buildVodCommand, parseProgressLine } from './command.ts';
export { transcodeToVod, TranscodeError, TranscodeAbortedError, VOD_THUMBNAIL,   } from './transcode.ts';
export {   REFUSED_FORMAT_MESSAGE } from './input.ts';
