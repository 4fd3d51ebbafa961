export { locateFfmpeg, type FfmpegBinary } from './ffmpeg-binary.ts';
export { selectEncoder, type EncoderSelection,   } from './encoders/capabilities.ts';
export { ENCODERS,  } from './encoders/registry.ts';
export type {  Rendition, Capabilities,  } from './encoders/types.ts';
export { selectRenditions } from './ladder.ts';
export { buildLiveCommand,  } from './live-command.ts';
export { LiveTranscoder,  } from './live-transcoder.ts';
export { spawnFfmpeg, runFfmpeg } from './ffmpeg-process.ts';
export {  SEGMENT_MANIFEST, type DiskSink,  } from './hls-disk-sink.ts';
export {
  prepareLiveTranscoder, encoderSettingsFromConfig, renditionsFor,   
   
} from './live-pipeline.ts';
export * as hls from './hls/index.ts';
export { writeEndedPlaylists } from './hls-archive.ts';
export { buildReplayPlaylists, makeReplayThumbnail,  } from './replay/index.ts';
export { makeStoryboard,    STORYBOARD_IMAGE,   } from './storyboard/index.ts';
