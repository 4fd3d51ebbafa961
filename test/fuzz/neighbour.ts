// The neighbouring live: a real ffmpeg publishing over RTMP beside the fuzzers, and a monitor of
// its lowest rendition that tells the longest time without a new part in any window.
import { Worker } from 'node:worker_threads';
import type { ApiClient } from '../helpers/api.ts';
import { publish, type Publisher } from '../helpers/publisher.ts';
import { waitFor } from '../helpers/wait.ts';

const POLL_MS = 150;

export interface Neighbour {
  videoUuid: string;
  publisher: Publisher;
  monitor: NeighbourMonitor;
  stop(): Promise<void>;
}

/** Creates a live for `owner`, publishes to it and starts watching its lowest rendition. */
export async function startNeighbour(owner: ApiClient, rtmpPort: number, seconds: number): Promise<Neighbour> {
  const live = await owner.createLive({ name: 'Fuzz neighbour', saveReplay: false, latencyMode: 1 });
  // 360p in: one or two renditions, cheap on a small machine.
  const publisher = publish(`rtmp://127.0.0.1:${rtmpPort}/live/${live.streamKey}`, { width: 640, height: 360, seconds });
  const playlistUrl = await waitFor('the neighbour to be published', async () => {
    const video = (await owner.get(`/api/v1/videos/${live.id}`)).body;
    return video?.state?.id === 1 && video.streamingPlaylists?.length > 0 ? `${owner.baseUrl}${video.streamingPlaylists[0].playlistUrl}` : undefined;
  }, { timeoutMs: 60_000 });
  const monitor = new NeighbourMonitor(await lowestRendition(playlistUrl));
  await waitFor('the neighbour to produce parts', () => monitor.arrivals.length >= 3, { timeoutMs: 30_000 });
  return {
    videoUuid: live.uuid,
    publisher,
    monitor,
    async stop() {
      await monitor.stop();
      await publisher.stop();
    },
  };
}

/** The media playlist of the lowest-bandwidth variant of a master playlist. */
export async function lowestRendition(masterUrl: string): Promise<string> {
  const master = await waitFor('the master playlist', async () => {
    const response = await fetch(masterUrl);
    return response.ok ? response.text() : undefined;
  });
  const lines = master.split('\n');
  let best: { bandwidth: number; uri: string } | undefined;
  lines.forEach((line, index) => {
    const bandwidth = Number(/^#EXT-X-STREAM-INF:.*?BANDWIDTH=(\d+)/.exec(line)?.[1]);
    const uri = lines[index + 1]?.trim();
    if (bandwidth && uri && (!best || bandwidth < best.bandwidth)) best = { bandwidth, uri };
  });
  if (!best) throw new Error(`no variant in ${masterUrl}`);
  return new URL(best.uri, masterUrl).href;
}

export class NeighbourMonitor {
  /** When a new part or segment was first seen (ms since epoch, taken in the worker). */
  readonly arrivals: number[] = [];
  readonly #worker: Worker;
  #flushed: (() => void) | undefined;

  constructor(playlistUrl: string) {
    this.#worker = new Worker(new URL('./neighbour-worker.ts', import.meta.url), { workerData: { playlistUrl, intervalMs: POLL_MS } });
    this.#worker.on('message', (message: { at?: number; flushed?: boolean }) => {
      if (message.at !== undefined) this.arrivals.push(message.at);
      if (message.flushed) this.#flushed?.();
    });
  }

  /** Waits until every arrival the worker saw so far has been received here. */
  async flush(): Promise<void> {
    const done = new Promise<void>((resolve) => { this.#flushed = resolve; });
    this.#worker.postMessage('flush');
    await done;
  }

  /** The longest time (s) without a new part between `from` and `to` (ms since epoch). */
  longestGapSeconds(from: number, to: number): number {
    const before = this.arrivals.filter((at) => at <= from).at(-1) ?? from;
    const points = [before, ...this.arrivals.filter((at) => at > from && at <= to), to];
    let longest = 0;
    for (let index = 1; index < points.length; index++) longest = Math.max(longest, points[index] - points[index - 1]);
    // Keep the list short on long runs: what is before `from` is never asked for again.
    this.arrivals.splice(0, Math.max(0, this.arrivals.indexOf(before)));
    return longest / 1000;
  }

  async stop(): Promise<void> {
    this.#worker.postMessage('stop');
    await this.#worker.terminate();
  }
}
