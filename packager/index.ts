export { locateFfmpeg, type FfmpegBinary } from './ffmpeg-binary.ts';
export { selectEncoder, type EncoderSelection, type CapabilitySettings, type TrialOutcome } from './encoders/capabilities.ts';
export { ENCODERS, AUTO_ORDER } from './encoders/registry.ts';
export type { EncoderId, Rendition, Capabilities, EncoderBackend } from './encoders/types.ts';
export { selectRenditions } from './ladder.ts';
export { buildLiveCommand, MASTER_PLAYLIST, VARIANT_PLAYLIST } from './live-command.ts';
export { LiveTranscoder, type LiveTranscoderOptions } from './live-transcoder.ts';
export { spawnFfmpeg, runFfmpeg } from './ffmpeg-process.ts';
export {
  prepareLiveTranscoder, encoderSettingsFromConfig, renditionsFor, DESCRIBE_TIMEOUT_MS, FALLBACK_SOURCE_HEIGHT,
  type PrepareOptions, type PreparedTranscoder,
} from './live-pipeline.ts';
