// A MediaFeed over FLV tags that arrive from one source (here, the ffmpeg behind an SRT
// publisher). Like node-media-server does for RTMP, it keeps the FLV header, the metadata, the
// codec headers and the tags since the last keyframe, so that every subscriber (a transcoder,
// or one restarted after a crash) starts with a complete stream that decodes from a keyframe.
// Bounded: a group of pictures larger than the caps is dropped, and subscribers that arrive
// then wait for the next keyframe.
import type { MediaFeed, MediaSink, SourceInfo } from '../contracts.ts';
import { FLV_TAG_VIDEO, type FlvTag } from './flv-reader.ts';
import { readOnMetaData } from './flv-metadata.ts';

export const MAX_GOP_BYTES = 32 * 1024 * 1024;
export const MAX_GOP_TAGS = 16_384;
/** After the video header, how long describe() waits for an audio header the file header promised. */
const AUDIO_HEADER_WAIT_MS = 300;
const FLV_HAS_AUDIO = 0x04;

interface Subscriber {
  sink: MediaSink;
  /** Joined when no whole GOP was cached: skips media until the next keyframe. */
  waitingForKeyframe: boolean;
}

/** NMS's convention for the flag: any video tag whose frame type is "keyframe" (codec header included). */
function startsAtKeyframe(tag: Buffer): boolean {
  return tag[0] === FLV_TAG_VIDEO && tag.length > 11 && (tag[11] >> 4) === 1;
}

export class GopFeed implements MediaFeed {
  readonly container = 'flv' as const;
  #header: Buffer | undefined;
  #metadata: Buffer | undefined;
  #audioHeader: Buffer | undefined;
  #videoHeader: Buffer | undefined;
  /** Tags from the last keyframe on; undefined while there is no whole GOP to offer. */
  #gop: Buffer[] | undefined;
  #gopBytes = 0;
  #width = 0;
  #height = 0;
  #metadataAudio = false;
  #ended = false;
  readonly #subscribers = new Set<Subscriber>();
  readonly #changed = new Set<() => void>();

  get ended(): boolean { return this.#ended; }
  get subscriberCount(): number { return this.#subscribers.size; }
  /** Bytes held for late subscribers, for tests and metrics. */
  get cachedBytes(): number { return this.#gopBytes; }

  subscribe(sink: MediaSink): () => void {
    const subscriber: Subscriber = { sink, waitingForKeyframe: this.#gop === undefined };
    if (this.#header) {
      sink.write(this.#header, false);
      for (const tag of [this.#metadata, this.#audioHeader, this.#videoHeader]) if (tag) sink.write(tag, startsAtKeyframe(tag));
      for (const tag of this.#gop ?? []) sink.write(tag, startsAtKeyframe(tag));
    }
    this.#subscribers.add(subscriber);
    return () => { this.#subscribers.delete(subscriber); };
  }

  async describe(timeoutMs: number): Promise<SourceInfo> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#videoHeader && !this.#ended && Date.now() < deadline) await this.#nextChange(deadline - Date.now());
    if (this.#videoHeader && !this.#audioHeader && this.#promisesAudio()) {
      const audioDeadline = Date.now() + AUDIO_HEADER_WAIT_MS;
      while (!this.#audioHeader && !this.#ended && Date.now() < audioDeadline) await this.#nextChange(audioDeadline - Date.now());
    }
    return { width: this.#width, height: this.#height, hasAudio: this.#audioHeader !== undefined || this.#promisesAudio() };
  }

  pushHeader(header: Buffer): void {
    this.#header = header;
    for (const subscriber of this.#subscribers) this.#deliver(subscriber, header, false);
    this.#notify();
  }

  pushTag(tag: FlvTag): void {
    const bytes = tag.bytes;
    switch (tag.kind) {
      case 'metadata': {
        const values = readOnMetaData(bytes);
        if (!values) break; // another script tag: pass it on, keep nothing
        this.#metadata = bytes;
        if (typeof values.width === 'number') this.#width = Math.round(values.width);
        if (typeof values.height === 'number') this.#height = Math.round(values.height);
        this.#metadataAudio = typeof values.audiocodecid === 'number';
        break;
      }
      case 'audio-header':
        this.#audioHeader = bytes;
        break;
      case 'video-header':
        this.#videoHeader = bytes;
        break;
      case 'keyframe':
        this.#gop = [bytes];
        this.#gopBytes = bytes.length;
        for (const subscriber of this.#subscribers) subscriber.waitingForKeyframe = false;
        break;
      case 'frame':
        if (!this.#gop) break;
        if (this.#gopBytes + bytes.length > MAX_GOP_BYTES || this.#gop.length >= MAX_GOP_TAGS) {
          this.#gop = undefined;
          this.#gopBytes = 0;
          break;
        }
        this.#gop.push(bytes);
        this.#gopBytes += bytes.length;
        break;
    }
    const isMedia = tag.kind === 'keyframe' || tag.kind === 'frame';
    const keyframeStart = startsAtKeyframe(bytes);
    for (const subscriber of this.#subscribers) {
      if (isMedia && subscriber.waitingForKeyframe) continue;
      this.#deliver(subscriber, bytes, keyframeStart);
    }
    if (tag.kind !== 'frame') this.#notify();
  }

  /** The source is gone: nothing more will come. Cached data is released. */
  end(): void {
    this.#ended = true;
    this.#gop = undefined;
    this.#gopBytes = 0;
    this.#notify();
  }

  #promisesAudio(): boolean {
    return this.#metadataAudio || (this.#header !== undefined && (this.#header[4] & FLV_HAS_AUDIO) !== 0);
  }

  /** One failing subscriber must not take the source or the others down with it. */
  #deliver(subscriber: Subscriber, bytes: Buffer, keyframeStart: boolean): void {
    try {
      subscriber.sink.write(bytes, keyframeStart);
    } catch {
      this.#subscribers.delete(subscriber);
    }
  }

  #nextChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#changed.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.#changed.add(done);
    });
  }

  #notify(): void {
    for (const wake of [...this.#changed]) wake();
  }
}
