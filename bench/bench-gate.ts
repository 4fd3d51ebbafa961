// A PublishGate without Postgres. It admits the stream key the bench is waiting for and starts
// the transcoder through the same prepareLiveTranscoder() as core/live/live-manager.ts, stopping it
// when the publisher goes, so that what the bench measures is ingest + transcoder and nothing else.
import type { Config, Logger } from '../config/index.ts';
import type { Admission, PublishAttempt, PublishGate } from '../ingest/index.ts';
import { prepareLiveTranscoder, type DiskSink, type EncoderSelection, type LiveTranscoder, type Rendition, type hls } from '../packager/index.ts';

export interface GateSettings {
  config: Config;
  encoder: EncoderSelection;
  log: Logger;
}

/** The one publish the gate lets in next. */
export interface ExpectedPublish {
  streamKey: string;
  outputDir: string;
  /** The ffmpeg the transcoder runs: in the bench, a metering wrapper around the real one. */
  ffmpegPath: string;
}

/** One admitted publish: its transcoder, and how it ended. */
export class BenchLive {
  readonly attempt: PublishAttempt;
  renditions: Rendition[] = [];
  hasAudio = false;
  transcoder: LiveTranscoder | undefined;
  output: hls.LiveHls | undefined;
  sinks: DiskSink[] = [];
  failure: string | undefined;
  /** Resolves when NMS reports the publisher gone (after it has handed over every byte). */
  readonly gone: Promise<void>;
  #markGone: () => void = () => undefined;
  #ending: Promise<void> | undefined;

  constructor(attempt: PublishAttempt) {
    this.attempt = attempt;
    this.gone = new Promise((resolve) => { this.#markGone = resolve; });
  }

  get ending(): boolean { return this.#ending !== undefined; }

  publisherGone(): void {
    this.#markGone();
    void this.end();
  }

  /** Stops the transcoder (closing its stdin lets ffmpeg flush); idempotent, like LiveManager#end. */
  end(): Promise<void> {
    this.#ending ??= (async () => {
      await this.transcoder?.stop();
      this.output?.end();
      await Promise.all(this.sinks.map((sink) => sink.flush()));
    })();
    return this.#ending;
  }
}

export class BenchGate implements PublishGate {
  readonly #settings: GateSettings;
  #expected: (ExpectedPublish & { admitted: (live: BenchLive) => void }) | undefined;

  constructor(settings: GateSettings) {
    this.#settings = settings;
  }

  /** Arms the gate for one publish; resolves once that publish is admitted. */
  expect(publish: ExpectedPublish): Promise<BenchLive> {
    return new Promise((admitted) => { this.#expected = { ...publish, admitted }; });
  }

  async admit(attempt: PublishAttempt): Promise<Admission> {
    const expected = this.#expected;
    if (!expected || attempt.streamKey !== expected.streamKey) return { admitted: false, reason: 'unknown stream key' };
    this.#expected = undefined;
    const live = new BenchLive(attempt);
    void this.#startTranscoding(live, expected).catch((error: Error) => {
      live.failure = `transcoding could not start: ${error.message}`;
      attempt.disconnect('transcoding could not start');
      void live.end();
    });
    expected.admitted(live);
    return { admitted: true, publisherGone: () => live.publisherGone() };
  }

  /** LiveManager#startTranscoding, minus the database writes. */
  async #startTranscoding(live: BenchLive, { outputDir, ffmpegPath }: ExpectedPublish): Promise<void> {
    const { config, encoder, log } = this.#settings;
    const { transcoder, renditions, source, output, sinks } = await prepareLiveTranscoder({
      config, encoder, ffmpegPath, feed: live.attempt.feed, outputDir, log: log.child('live:bench'),
      // The server's default mode; every segment kept so that the bench can count them.
      latencyMode: 1, keepAllSegments: true,
    });
    if (live.ending) return;
    live.renditions = renditions;
    live.hasAudio = source.hasAudio;
    live.output = output;
    live.sinks = sinks;
    live.transcoder = transcoder;
    transcoder.once('failed', (reason) => {
      live.failure = reason;
      live.attempt.disconnect('the transcoder keeps failing');
      void live.end();
    });
    transcoder.start();
  }
}
