export { locateFfmpeg, type FfmpegBinary } from './ffmpeg-binary.ts';
export { selectEncoder, type EncoderSelection, type CapabilitySettings, type TrialOutcome } from './encoders/capabilities.ts';
export { ENCODERS, AUTO_ORDER } from './encoders/registry.ts';
export type { EncoderId, Rendition, Capabilities, EncoderBackend } from './encoders/types.ts';
export { selectRenditions } from './ladder.ts';
export { buildLiveCommand, firstOutputFd } from './live-command.ts';
export { LiveTranscoder, type LiveTranscoderOptions } from './live-transcoder.ts';
export { spawnFfmpeg, runFfmpeg } from './ffmpeg-process.ts';
export { createDiskSink, SEGMENT_MANIFEST, type DiskSink, type RecordedSegment } from './hls-disk-sink.ts';
export {
  prepareLiveTranscoder, encoderSettingsFromConfig, renditionsFor, playlistSegmentsFor, DESCRIBE_TIMEOUT_MS, FALLBACK_SOURCE_HEIGHT,
  type PrepareOptions, type PreparedTranscoder,
} from './live-pipeline.ts';
export * as hls from './hls/index.ts';
export { writeEndedPlaylists } from './hls-archive.ts';
export { buildReplayPlaylists, makeReplayThumbnail, type ReplayPlaylists } from './replay/index.ts';
export { makeStoryboard, planStoryboard, storyboardVtt, jpegSize, STORYBOARD_IMAGE, STORYBOARD_VTT, type StoryboardResult } from './storyboard/index.ts';
