// A MediaFeed over an FLV byte stream that arrives in this process (the ffmpeg behind an SRT
// or a WHIP publisher). Like node-media-server does for RTMP, it keeps the FLV header, the
// metadata, the codec headers and the tags since the last keyframe, so that every subscriber (a
// transcoder, or one restarted after a crash) starts with a complete stream that decodes from a
// keyframe. Bounded: a group of pictures larger than the caps is dropped, and subscribers that
// arrive then wait for the next keyframe.
import type { MediaFeed, MediaSink, SourceInfo } from '../contracts.ts';
import { readOnMetaData } from './metadata.ts';
import { FlvTagReader, isVideoKeyframeTag, type FlvTag } from './tag-reader.ts';

export const DEFAULT_MAX_GOP_BYTES = 32 * 1024 * 1024;
const DEFAULT_MAX_GOP_TAGS = 16_384;
/** After the video header, how long describe() waits for an audio header the source promised. */
const AUDIO_HEADER_WAIT_MS = 300;

export interface FlvGopFeedOptions {
  /** A GOP past this many bytes means keyframes come far too rarely: it is not cached. */
  maxGopBytes?: number;
  maxGopTags?: number;
  /** A subscriber arrived: a good moment to ask the publisher for a fresh keyframe (WHIP's PLI). */
  onSubscribe?: () => void;
  /** A video keyframe went by (to pace keyframe requests). */
  onKeyframe?: () => void;
  /** The GOP outgrew a cap and was dropped (once per GOP); `bytes` counts the tag that did it. */
  onGopOverflow?: (bytes: number) => void;
}

interface Subscriber {
  sink: MediaSink;
  /** False until it got its start: FLV header, metadata, codec headers, a keyframe. */
  started: boolean;
}

export class FlvGopFeed implements MediaFeed {
  readonly container = 'flv' as const;
  readonly #options: FlvGopFeedOptions;
  readonly #reader = new FlvTagReader();
  readonly #subscribers = new Set<Subscriber>();
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
  readonly #waiters = new Set<() => void>();

  constructor(options: FlvGopFeedOptions = {}) {
    this.#options = options;
  }

  get ended(): boolean { return this.#ended; }
  get subscriberCount(): number { return this.#subscribers.size; }
  /** Bytes of the GOP held for late subscribers, for tests and metrics. */
  get cachedBytes(): number { return this.#gopBytes; }

  /**
   * Feeds FLV bytes in. Throws FlvFormatError on a stream that is not FLV or has lost its
   * framing; the feed has then ended (later bytes are ignored) and the caller should stop the source.
   */
  write(chunk: Buffer): void {
    if (this.#ended) return;
    let tags: FlvTag[];
    try {
      tags = this.#reader.push(chunk);
    } catch (error) {
      this.end();
      throw error;
    }
    for (const tag of tags) this.#onTag(tag);
  }

  /** The source is gone: nothing more will come; describe() answers with what it knows. Cached media is released. */
  end(): void {
    this.#ended = true;
    this.#gop = undefined;
    this.#gopBytes = 0;
    this.#notify();
  }

  subscribe(sink: MediaSink): () => void {
    const subscriber: Subscriber = { sink, started: false };
    this.#subscribers.add(subscriber);
    this.#start(subscriber);
    this.#options.onSubscribe?.();
    return () => { this.#subscribers.delete(subscriber); };
  }

  async describe(timeoutMs: number): Promise<SourceInfo> {
    const deadline = Date.now() + timeoutMs;
    // ffmpeg writes onMetaData before any codec header: the video header is the last thing needed.
    await this.#until(() => this.#videoHeader !== undefined, deadline);
    if (this.#videoHeader && this.#promisesAudio()) {
      await this.#until(() => this.#audioHeader !== undefined, Math.min(deadline, Date.now() + AUDIO_HEADER_WAIT_MS));
    }
    return { width: this.#width, height: this.#height, hasAudio: this.#audioHeader !== undefined || this.#promisesAudio() };
  }

  #onTag(tag: FlvTag): void {
    const bytes = tag.bytes;
    switch (tag.kind) {
      case 'metadata':
        this.#onMetadata(bytes);
        break;
      case 'audio-header':
        this.#audioHeader = bytes;
        this.#notify();
        break;
      case 'video-header':
        this.#videoHeader = bytes;
        this.#notify();
        break;
      case 'keyframe':
        this.#gop = [bytes];
        this.#gopBytes = bytes.length;
        this.#options.onKeyframe?.();
        for (const subscriber of [...this.#subscribers]) {
          if (subscriber.started) this.#deliver(subscriber, bytes, true);
          else this.#start(subscriber);
        }
        return;
      default: // frames, and script tags other than onMetaData, in stream order
        this.#cache(bytes);
    }
    const keyframeStart = isVideoKeyframeTag(bytes);
    for (const subscriber of [...this.#subscribers]) if (subscriber.started) this.#deliver(subscriber, bytes, keyframeStart);
  }

  #onMetadata(bytes: Buffer): void {
    const values = readOnMetaData(bytes) ?? {};
    const dimension = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
    this.#metadata = bytes;
    this.#width = dimension(values.width);
    this.#height = dimension(values.height);
    this.#metadataAudio = typeof values.audiocodecid === 'number';
    this.#notify();
  }

  #cache(bytes: Buffer): void {
    if (!this.#gop) return;
    const bytesAfter = this.#gopBytes + bytes.length;
    if (bytesAfter > (this.#options.maxGopBytes ?? DEFAULT_MAX_GOP_BYTES)
      || this.#gop.length >= (this.#options.maxGopTags ?? DEFAULT_MAX_GOP_TAGS)) {
      this.#gop = undefined;
      this.#gopBytes = 0;
      this.#options.onGopOverflow?.(bytesAfter);
      return;
    }
    this.#gop.push(bytes);
    this.#gopBytes = bytesAfter;
  }

  /** FLV header, metadata, codec headers and the cached GOP, tag by tag, once all are there. */
  #start(subscriber: Subscriber): void {
    const header = this.#reader.header;
    const gop = this.#gop;
    if (!header || !this.#videoHeader || !gop) return;
    subscriber.started = true;
    this.#deliver(subscriber, header.bytes, false);
    for (const bytes of [this.#metadata, this.#audioHeader, this.#videoHeader, ...gop]) {
      if (bytes) this.#deliver(subscriber, bytes, isVideoKeyframeTag(bytes));
    }
  }

  #promisesAudio(): boolean {
    return this.#metadataAudio || this.#reader.header?.hasAudio === true;
  }

  /** One failing subscriber must not take the source or the others down with it: it is dropped. */
  #deliver(subscriber: Subscriber, bytes: Buffer, isKeyframeStart: boolean): void {
    if (!this.#subscribers.has(subscriber)) return;
    try {
      subscriber.sink.write(bytes, isKeyframeStart);
    } catch {
      this.#subscribers.delete(subscriber);
    }
  }

  #notify(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  async #until(condition: () => boolean, deadline: number): Promise<void> {
    while (!condition() && !this.#ended && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(0, deadline - Date.now()));
        this.#waiters.add(wake);
      });
    }
  }
}
