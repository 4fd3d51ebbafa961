// On-demand transcoding of uploaded files: probe, HLS ladder, master playlist, thumbnail.
export { probeSource, parseFfprobeJson, parseFfmpegBanner, UnusableSourceError, type SourceInfo } from './probe.ts';
export { buildVodCommand, parseProgressLine } from './command.ts';
export { transcodeToVod, TranscodeError, VOD_THUMBNAIL, type VodResult, type VodTranscodeOptions } from './transcode.ts';
