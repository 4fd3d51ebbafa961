// Upload helpers: a test clip made by ffmpeg, PeerTube's resumable protocol (new uploads and the
// re-upload of a source), and waiting for a video to be published.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ApiClient } from './api.ts';
import { waitFor } from './wait.ts';

/** An H.264 + AAC MP4 of `size` (e.g. 640x360) and `seconds`, written to `file`, returned as bytes. */
export function makeClip(file: string, size: string, seconds: number): Buffer {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25:duration=${seconds}`, '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '600k', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', file]);
  return readFileSync(file);
}

/**
 * PeerTube's resumable protocol: POST `path` with `body` (JSON) and X-Upload-Content-Length, then PUT
 * the bytes in `chunks` pieces. Returns the POST response when it is refused, else the last PUT's.
 */
export async function resumableUpload(baseUrl: string, token: string | undefined, path: string, body: object, bytes: Buffer, chunks = 2): Promise<Response> {
  const auth: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  const start = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json', 'X-Upload-Content-Length': String(bytes.length), 'X-Upload-Content-Type': 'video/mp4' },
    body: JSON.stringify(body),
  });
  if (start.status !== 201) return start;
  const url = new URL(start.headers.get('location')!, baseUrl).href;
  const step = Math.ceil(bytes.length / chunks);
  let last: Response = start;
  for (let from = 0; from < bytes.length; from += step) {
    const to = Math.min(bytes.length, from + step);
    last = await fetch(url, {
      method: 'PUT',
      headers: { ...auth, 'Content-Type': 'application/octet-stream', 'Content-Range': `bytes ${from}-${to - 1}/${bytes.length}` },
      body: new Uint8Array(bytes.subarray(from, to)),
    });
    if (to < bytes.length && last.status !== 308) return last;
  }
  return last;
}

/** Waits until the video is published (state 1); fails at once on "transcoding failed" (7). */
export async function waitPublished(api: ApiClient, id: number | string, timeoutMs = 120_000): Promise<any> {
  return waitFor(`video ${id} published`, async () => {
    const current = (await api.get(`/api/v1/videos/${id}`)).body;
    if (current.state.id === 7) throw new Error(`failed: ${current.error}`);
    return current.state.id === 1 ? current : undefined;
  }, { timeoutMs, intervalMs: 300 });
}
