export type { MediaFeed, PublishAttempt, Admission, PublishGate } from './contracts.ts';
export { RtmpIngestServer,  } from './rtmp/server.ts';
export { rtmpLimits } from './rtmp/guard.ts';
export { SrtIngestServer,    } from './srt/server.ts';
