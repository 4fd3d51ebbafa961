// One live's HLS output: a LiveRendition per rendition of the ladder, the master playlist over
// them, and the rendition reports each LL playlist carries about its siblings.
import { codecsOf, primaryTrack } from '../fmp4/init-segment.ts';
import type { LatencyProfile } from './latency-profile.ts';
import { bandwidthFor, writeMasterPlaylist, type VariantStream } from './master.ts';
import type { RenditionReport } from './playlist.ts';
import { LiveRendition, type LiveRenditionOptions, type RenditionSink } from './rendition.ts';
import { answerMediaRequest, type MediaReply, type MediaRequestOptions } from './requests.ts';

export interface LadderRendition {
  /** The rendition's folder and playlist: `<index>/index.m3u8`. */
  index: number;
  /** Configured video + audio bits per second; the measured peak replaces it when higher. */
  bandwidth: number;
  frameRate?: number;
}

export interface LiveHlsOptions extends Omit<LiveRenditionOptions, 'sink'> {
  renditions: readonly LadderRendition[];
  /** A sink per rendition (each writes to its own folder). */
  sinkFor?: (index: number) => RenditionSink;
}

export class LiveHls {
  readonly profile: LatencyProfile;
  readonly #ladder: readonly LadderRendition[];
  readonly #renditions = new Map<number, LiveRendition>();

  constructor(options: LiveHlsOptions) {
    if (options.renditions.length === 0) throw new RangeError('a live needs at least one rendition');
    this.profile = options.profile;
    this.#ladder = options.renditions;
    const { renditions: _ladder, sinkFor, ...shared } = options;
    for (const { index } of options.renditions) {
      if (this.#renditions.has(index)) throw new RangeError(`rendition index ${index} appears twice`);
      this.#renditions.set(index, new LiveRendition({ ...shared, sink: sinkFor?.(index) }));
    }
  }

  rendition(index: number): LiveRendition {
    const rendition = this.#renditions.get(index);
    if (!rendition) throw new RangeError(`no rendition ${index}`);
    return rendition;
  }

  get indexes(): number[] { return this.#ladder.map((rung) => rung.index); }

  /** Every rendition has a complete segment: players can start. */
  get started(): boolean {
    return [...this.#renditions.values()].every((rendition) => rendition.segmentCount > 0);
  }

  /** undefined until every rendition has its init segment (codecs and size come from it). */
  masterPlaylist(): string | undefined {
    const variants: VariantStream[] = [];
    for (const rung of this.#ladder) {
      const variant = this.#variant(rung);
      if (!variant) return undefined;
      variants.push(variant);
    }
    return writeMasterPlaylist(variants);
  }

  /** What rendition `index`'s playlist reports about its siblings. */
  renditionReports(index: number): RenditionReport[] {
    const reports: RenditionReport[] = [];
    for (const [sibling, rendition] of this.#renditions) {
      const position = rendition.position;
      if (sibling !== index && position) reports.push({ index: sibling, ...position });
    }
    return reports;
  }

  /** A request for `name` in rendition `index`'s folder (see answerMediaRequest). */
  answer(index: number, name: string, options: Omit<MediaRequestOptions, 'renditionReports'> = {}): Promise<MediaReply> {
    return answerMediaRequest(this.rendition(index), name, { ...options, renditionReports: () => this.renditionReports(index) });
  }

  restartInput(options: { discontinuity?: boolean; wallClockAnchorMs?: number } = {}): void {
    for (const rendition of this.#renditions.values()) rendition.restartInput(options);
  }

  markDiscontinuity(): void {
    for (const rendition of this.#renditions.values()) rendition.markDiscontinuity();
  }

  end(): void {
    for (const rendition of this.#renditions.values()) rendition.end();
  }

  #variant(rung: LadderRendition): VariantStream | undefined {
    const rendition = this.rendition(rung.index);
    const init = rendition.currentInit?.init;
    if (!init) return undefined;
    const picture = primaryTrack(init);
    const measured = rendition.measuredBitrate();
    return {
      index: rung.index,
      bandwidth: bandwidthFor(rung.bandwidth, measured?.peak),
      averageBandwidth: measured?.average,
      codecs: codecsOf(init),
      width: picture.width,
      height: picture.height,
      frameRate: rung.frameRate,
    };
  }
}
