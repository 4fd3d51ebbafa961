// Writes the master (multivariant) playlist: one EXT-X-STREAM-INF per rendition.
import { variantUri } from './uris.ts';

export interface VariantStream {
  /** Rendition index: its media playlist is `<index>/index.m3u8`. */
  index: number;
  /** Peak bits per second (BANDWIDTH). */
  bandwidth: number;
  /** Average bits per second (AVERAGE-BANDWIDTH), when measured. */
  averageBandwidth?: number;
  /** RFC 6381 codecs, e.g. "avc1.64001f,mp4a.40.2" (see codecsOf in fmp4). */
  codecs?: string;
  width?: number;
  height?: number;
  frameRate?: number;
}

export function writeMasterPlaylist(variants: readonly VariantStream[]): string {
  if (variants.length === 0) throw new RangeError('a master playlist needs at least one variant');
  const lines = ['#EXTM3U', '#EXT-X-VERSION:6'];
  for (const variant of variants) lines.push(streamInfLine(variant), variantUri(variant.index));
  return `${lines.join('\n')}\n`;
}

/**
 * BANDWIDTH must not understate the peak (§4.4.6.2: players pick variants by it), so the
 * measured peak wins over the configured rate once segments exist.
 */
export function bandwidthFor(configuredBitsPerSecond: number, measuredPeakBitsPerSecond: number | undefined): number {
  return Math.ceil(Math.max(configuredBitsPerSecond, measuredPeakBitsPerSecond ?? 0));
}

function streamInfLine(variant: VariantStream): string {
  const attributes = [`BANDWIDTH=${Math.ceil(variant.bandwidth)}`];
  if (variant.averageBandwidth !== undefined) attributes.push(`AVERAGE-BANDWIDTH=${Math.ceil(variant.averageBandwidth)}`);
  if (variant.codecs) attributes.push(`CODECS="${variant.codecs}"`);
  if (variant.width && variant.height) attributes.push(`RESOLUTION=${variant.width}x${variant.height}`);
  if (variant.frameRate) attributes.push(`FRAME-RATE=${variant.frameRate.toFixed(3)}`);
  return `#EXT-X-STREAM-INF:${attributes.join(',')}`;
}
