export type { IngestProtocol, MediaFeed, MediaSink, SourceInfo, PublishAttempt, Admission, PublishGate } from './contracts.ts';
export { RtmpIngestServer, type RtmpServerOptions } from './rtmp/server.ts';
export { rtmpLimits } from './rtmp/guard.ts';
export { SrtIngestServer, type SrtServerOptions, type SpawnFfmpeg, type FfmpegChild } from './srt/server.ts';
