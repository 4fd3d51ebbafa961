// On-demand transcoding of uploaded files: probe, HLS ladder, master playlist, thumbnail.
export { probeSource, parseFfprobeJson, parseFfmpegBanner, UnusableSourceError, type SourceInfo } from './probe.ts';
export { buildVodCommand, parseProgressLine } from './command.ts';
export { transcodeToVod, TranscodeError, TranscodeAbortedError, VOD_THUMBNAIL, type VodResult, type VodTranscodeOptions } from './transcode.ts';
export { uploadedInputArgs, UPLOAD_DEMUXERS, REFUSED_FORMAT_MESSAGE } from './input.ts';
