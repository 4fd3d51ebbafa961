// Runs in a worker thread: follows the neighbouring live's media playlist and posts the time each
// new part or segment appears. A thread of its own, so an in-process parser surface that keeps the
// main thread busy cannot delay the polls and fake a gap.
import { parentPort, workerData } from 'node:worker_threads';

const { playlistUrl, intervalMs } = workerData as { playlistUrl: string; intervalMs: number };
let seen = new Set<string>();
let stopping = false;

parentPort!.on('message', (message: string) => {
  if (message === 'flush') parentPort!.postMessage({ flushed: true });
  if (message === 'stop') stopping = true;
});

/** Part URIs (#EXT-X-PART) and segment URIs of one playlist text. */
function urisOf(text: string): string[] {
  const uris: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#EXT-X-PART:')) {
      const uri = /URI="([^"]+)"/.exec(line)?.[1];
      if (uri) uris.push(uri);
    } else if (line && !line.startsWith('#')) {
      uris.push(line.trim());
    }
  }
  return uris;
}

while (!stopping) {
  const started = Date.now();
  try {
    const response = await fetch(playlistUrl, { signal: AbortSignal.timeout(2000) });
    const uris = urisOf(await response.text());
    const fresh = uris.filter((uri) => !seen.has(uri));
    if (fresh.length) parentPort!.postMessage({ at: Date.now(), count: fresh.length });
    // Keep what the playlist still lists; older names never come back.
    seen = new Set(uris);
  } catch {
    // A failed poll is simply no new part: the gap grows, and that is what is measured.
  }
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (Date.now() - started))));
}
