// The one small contract between the ingest front doors and the rest of the server.
// A protocol turns a connection into a PublishAttempt; the gate (wired in api/) checks the
// stream key and answers. Nothing here knows about Postgres or ffmpeg.

export type IngestProtocol = 'rtmp' | 'rtmps' | 'srt' | 'whip';

/**
 * The publisher's media as a byte stream in one container. Each subscriber gets a complete,
 * decodable stream from its own start: container header, codec headers, then the last keyframe on.
 */
export interface MediaFeed {
  readonly container: 'flv';
  subscribe(sink: MediaSink): () => void;
  /** Waits (bounded) until the publisher has told its video size and tracks. */
  describe(timeoutMs: number): Promise<SourceInfo>;
}

export interface SourceInfo {
  /** 0 when the publisher never said. */
  width: number;
  height: number;
  hasAudio: boolean;
}

export interface MediaSink {
  write(chunk: Buffer, isKeyframeStart: boolean): void;
}

export interface PublishAttempt {
  readonly protocol: IngestProtocol;
  readonly streamKey: string;
  readonly remoteAddress: string;
  readonly feed: MediaFeed;
  /** Ends the publisher's connection (used when the live is stopped by the server). */
  disconnect(reason: string): void;
}

export type Admission =
  | { admitted: true; publisherGone(): void }
  | { admitted: false; reason: string };

/** Decides whether a publish may go on. Implemented where the database is reachable (api/). */
export interface PublishGate {
  admit(attempt: PublishAttempt): Promise<Admission>;
}
