// A MediaFeed over an FLV byte stream that arrives in this process (ffmpeg's output): keeps the
// FLV header, the metadata, the codec headers and the current GOP, so that every subscriber
// starts with a complete stream on a keyframe. Memory is bounded: a GOP that grows past the cap
// is dropped, and new subscribers then wait for the next keyframe.
import type { MediaFeed, MediaSink, SourceInfo } from '../contracts.ts';
import {
  FlvTagReader, isAudioSequenceHeader, isMetadata, isVideoKeyframe, isVideoSequenceHeader, metadataNumber,
  type FlvTag,
} from './flv-tags.ts';

/** A GOP this large means the publisher sends keyframes far too rarely; stop caching it. */
const DEFAULT_MAX_GOP_BYTES = 24 * 1024 * 1024;
/** After the video header, how long describe() waits for a late audio header. */
const AUDIO_HEADER_GRACE_MS = 300;

export interface FlvGopFeedOptions {
  maxGopBytes?: number;
  /** A subscriber arrived: a good moment to ask the publisher for a fresh keyframe. */
  onSubscribe?: () => void;
  /** A video keyframe went by (to pace keyframe requests). */
  onKeyframe?: () => void;
  /** The GOP outgrew the cap and was dropped. */
  onGopOverflow?: (bytes: number) => void;
}

interface Subscriber {
  sink: MediaSink;
  /** False until it got its starting burst (header, codec headers, a keyframe). */
  started: boolean;
}

export class FlvGopFeed implements MediaFeed {
  readonly container = 'flv' as const;
  readonly #options: FlvGopFeedOptions;
  readonly #reader = new FlvTagReader();
  readonly #subscribers = new Set<Subscriber>();
  #metadata: FlvTag | undefined;
  #videoHeader: FlvTag | undefined;
  #audioHeader: FlvTag | undefined;
  /** Starts with a keyframe, or is empty while waiting for one. */
  #gop: FlvTag[] = [];
  #gopBytes = 0;
  #ended = false;
  #waiters: Array<() => void> = [];

  constructor(options: FlvGopFeedOptions = {}) {
    this.#options = options;
  }

  get ended(): boolean { return this.#ended; }
  get subscriberCount(): number { return this.#subscribers.size; }
  get cachedGopBytes(): number { return this.#gopBytes; }

  /** Feeds FLV bytes in; throws FlvFormatError on a stream that is not FLV. */
  write(chunk: Buffer): void {
    if (this.#ended) return;
    const hadHeader = this.#reader.header !== undefined;
    for (const tag of this.#reader.push(chunk)) this.#onTag(tag);
    if (!hadHeader && this.#reader.header) this.#notify();
  }

  /** The source is gone: no more data; describe() answers with what it knows. */
  end(): void {
    this.#ended = true;
    this.#notify();
  }

  subscribe(sink: MediaSink): () => void {
    const subscriber: Subscriber = { sink, started: false };
    this.#subscribers.add(subscriber);
    if (this.#gop.length > 0) this.#start(subscriber);
    this.#options.onSubscribe?.();
    return () => { this.#subscribers.delete(subscriber); };
  }

  async describe(timeoutMs: number): Promise<SourceInfo> {
    const deadline = Date.now() + timeoutMs;
    await this.#until(() => this.#videoHeader !== undefined && this.#metadata !== undefined, deadline);
    if (this.#videoHeader && this.#reader.header?.hasAudio) {
      await this.#until(() => this.#audioHeader !== undefined, Math.min(deadline, Date.now() + AUDIO_HEADER_GRACE_MS));
    }
    const metadata = this.#metadata;
    return {
      width: (metadata && metadataNumber(metadata, 'width')) || 0,
      height: (metadata && metadataNumber(metadata, 'height')) || 0,
      hasAudio: this.#audioHeader !== undefined || this.#reader.header?.hasAudio === true,
    };
  }

  #onTag(tag: FlvTag): void {
    if (isMetadata(tag)) {
      this.#metadata = tag;
      this.#notify();
      return this.#forward(tag);
    }
    if (isVideoSequenceHeader(tag)) {
      this.#videoHeader = tag;
      this.#notify();
      return this.#forward(tag);
    }
    if (isAudioSequenceHeader(tag)) {
      this.#audioHeader = tag;
      this.#notify();
      return this.#forward(tag);
    }
    if (isVideoKeyframe(tag)) {
      this.#gop = [tag];
      this.#gopBytes = tag.bytes.length;
      this.#options.onKeyframe?.();
      for (const subscriber of this.#subscribers) {
        if (subscriber.started) this.#deliver(subscriber, tag.bytes, true);
        else this.#start(subscriber);
      }
      return;
    }
    if (this.#gop.length > 0) {
      this.#gop.push(tag);
      this.#gopBytes += tag.bytes.length;
      if (this.#gopBytes > (this.#options.maxGopBytes ?? DEFAULT_MAX_GOP_BYTES)) {
        this.#options.onGopOverflow?.(this.#gopBytes);
        this.#gop = [];
        this.#gopBytes = 0;
      }
    }
    this.#forward(tag);
  }

  /** Header, metadata, codec headers and the cached GOP in one burst that starts on a keyframe. */
  #start(subscriber: Subscriber): void {
    const header = this.#reader.header;
    if (!header || !this.#videoHeader) return;
    const parts = [header.bytes];
    for (const tag of [this.#metadata, this.#videoHeader, this.#audioHeader]) if (tag) parts.push(tag.bytes);
    for (const tag of this.#gop) parts.push(tag.bytes);
    subscriber.started = true;
    this.#deliver(subscriber, Buffer.concat(parts), true);
  }

  #forward(tag: FlvTag): void {
    for (const subscriber of this.#subscribers) if (subscriber.started) this.#deliver(subscriber, tag.bytes, false);
  }

  #deliver(subscriber: Subscriber, bytes: Buffer, isKeyframeStart: boolean): void {
    try {
      subscriber.sink.write(bytes, isKeyframeStart);
    } catch {
      // One broken reader must not stop the others; it is its owner's job to unsubscribe.
    }
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  async #until(condition: () => boolean, deadline: number): Promise<void> {
    while (!condition() && !this.#ended && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.#waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }
}
