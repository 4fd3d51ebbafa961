// Exposes one RTMP broadcast as a MediaFeed of FLV bytes, by attaching in-process readers.
// NMS replays the FLV header, metadata, codec headers and the current GOP to each new reader,
// so a restarted transcoder starts cleanly on a keyframe.
import { randomUUID } from 'node:crypto';
import type { MediaFeed, MediaSink, SourceInfo } from '../contracts.ts';
import { isVideoKeyframeTag } from '../flv/index.ts';
import type { NmsBroadcast, NmsSubscriber } from './nms.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class FlvFeed implements MediaFeed {
  readonly container = 'flv' as const;
  readonly #broadcast: NmsBroadcast;

  constructor(broadcast: NmsBroadcast) {
    this.#broadcast = broadcast;
  }

  subscribe(sink: MediaSink): () => void {
    const reader: NmsSubscriber = {
      id: `tap-${randomUUID()}`,
      ip: '', // NMS treats an empty ip as an internal reader: no play events, no auth
      protocol: 'flv',
      endTime: 0,
      sendBuffer: (buffer) => sink.write(buffer, isVideoKeyframeTag(buffer)),
      close: () => undefined,
    };
    this.#broadcast.postPlay(reader);
    return () => this.#broadcast.donePlay(reader);
  }

  async describe(timeoutMs: number): Promise<SourceInfo> {
    const deadline = Date.now() + timeoutMs;
    // Metadata and codec headers arrive within the first packets; the video header is the
    // last thing needed, and a short wait after it lets a trailing audio header land too.
    while (Date.now() < deadline && !this.#broadcast.flvVideoHeader) await sleep(50);
    if (this.#broadcast.flvVideoHeader && !this.#broadcast.flvAudioHeader) await sleep(300);
    const publisher = this.#broadcast.publisher;
    return {
      width: publisher?.videoWidth || 0,
      height: publisher?.videoHeight || 0,
      hasAudio: this.#broadcast.flvAudioHeader !== null || (publisher?.audioCodec ?? 0) > 0,
    };
  }
}
