export {
  WhipEndpoint, type WhipEndpointOptions, type WhipPublishRequest, type WhipPublishOutcome, type WhipRefusal, type WhipEndOutcome,
} from './endpoint.ts';
export type { SpawnFfmpeg, FfmpegProcess } from './remuxer.ts';
export type { WhipSessionTimeouts } from './session.ts';
