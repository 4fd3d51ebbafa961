// Picks the renditions for one live from the configured ladder and the source size.
import type { Rendition } from './encoders/types.ts';

export interface LadderRungSetting { height: number; videoBitrateKbps: number; audioBitrateKbps: number }

/**
 * Keeps the rungs at or below the source height (never upscale), highest first. With
 * passthrough the source itself is the first rendition. A source smaller than every rung
 * still gets one rendition at its own height, so that nobody is left without a picture.
 */
export function selectRenditions(ladder: LadderRungSetting[], sourceHeight: number, passthrough: boolean): Rendition[] {
  const rungs = [...ladder]
    .filter((rung) => rung.height <= sourceHeight)
    .sort((a, b) => b.height - a.height)
    .filter((rung, position, sorted) => position === 0 || sorted[position - 1].height !== rung.height);
  const selected: Array<Omit<Rendition, 'index'>> = [];
  if (passthrough) {
    selected.push({ height: sourceHeight, videoBitrateKbps: 0, audioBitrateKbps: rungs[0]?.audioBitrateKbps ?? 128, passthrough: true });
  }
  for (const rung of rungs) {
    // A rung equal to the source adds nothing next to the passthrough copy.
    if (passthrough && rung.height === sourceHeight) continue;
    selected.push({ ...rung, passthrough: false });
  }
  if (selected.length === 0) {
    const smallest = [...ladder].sort((a, b) => a.height - b.height)[0];
    const height = sourceHeight - (sourceHeight % 2);
    selected.push({ height, videoBitrateKbps: smallest?.videoBitrateKbps ?? 800, audioBitrateKbps: smallest?.audioBitrateKbps ?? 96, passthrough: false });
  }
  return selected.map((rendition, index) => ({ ...rendition, index }));
}
