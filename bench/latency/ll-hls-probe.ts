// Behaves like an LL-HLS player at the live edge: one blocking playlist reload to find the
// preload hint, then each hinted part in turn (a hinted part request is answered the moment the
// part exists). For every frame it notes arrival time − the publisher's send time of that frame.
import { frameTimes } from './media-clock.ts';

export interface ProbeOptions {
  variantUrl: string;
  /** Wall-clock ms at which the publisher sent media time t (seconds). */
  sendTime(seconds: number): number;
  durationMs: number;
  /** Sees every part fetched, with the init segment (for the barcode cross-check). */
  onPart?(init: Uint8Array, part: Uint8Array): void;
}

async function bytesOf(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

export async function probeLlHls(options: ProbeOptions): Promise<number[]> {
  const playlist = await (await fetch(options.variantUrl)).text();
  const map = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)?.[1];
  const hint = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-(\d+)\.m4s"/.exec(playlist)?.[1];
  if (!map || hint === undefined) throw new Error(`not an LL-HLS playlist: ${options.variantUrl}`);
  const init = await bytesOf(new URL(map, options.variantUrl).href);
  const latencies: number[] = [];
  const deadline = Date.now() + options.durationMs;
  for (let part = Number(hint); Date.now() < deadline; part++) {
    const bytes = await bytesOf(new URL(`part-${part}.m4s`, options.variantUrl).href);
    const arrived = Date.now();
    for (const time of frameTimes(init, bytes)) latencies.push(arrived - options.sendTime(time));
    options.onPart?.(init, bytes);
  }
  return latencies;
}
