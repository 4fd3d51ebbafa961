// Upload helpers: a test clip made by ffmpeg, PeerTube's resumable protocol (new uploads and the
// re-upload of a source), and waiting for a video to be published.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ApiClient } from './api.ts';
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

/** tus Upload-Metadata from plain fields (values base64, as tus-js-client sends them). */
export function tusMetadata(fields: Record<string, string | number>): string {
  return Object.entries(fields).map(([key, value]) => `${key} ${Buffer.from(String(value)).toString('base64')}`).join(',');
}

/** Creates a tus upload of `length` bytes (POST /api/v1/uploads/tus) through `send`; returns the response and, once created, its URL. */
export async function tusCreate(baseUrl: string, token: string, fields: Record<string, string | number>, length: number,
  send: typeof fetch = fetch): Promise<{ response: Response; url?: string }> {
  const response = await send(`${baseUrl}/api/v1/uploads/tus`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0', 'Upload-Length': String(length), 'Upload-Metadata': tusMetadata(fields) },
  });
  const location = response.headers.get('location');
  return { response, url: response.status === 201 && location ? new URL(location, baseUrl).href : undefined };
}

/** One tus PATCH of `bytes` at `offset` to `url` (any URL, including the ones an attacker would try). */
export function tusPatch(url: string, token: string, offset: number, bytes: Buffer): Promise<Response> {
  return fetch(url, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0', 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
    body: new Uint8Array(bytes),
  });
}

/** A new user (role 2) made by the admin, logged in, with the id of their default channel. */
export async function createUploader(admin: ApiClient, username: string): Promise<{ api: ApiClient; token: string; channelId: number }> {
  const password = `${username}-password-1`;
  const created = await admin.post('/api/v1/users', { username, password, email: `${username}@example.org`, role: 2 });
  if (created.status !== 200) throw new Error(`user creation failed: ${JSON.stringify(created.body)}`);
  const api = new ApiClient(admin.baseUrl, undefined, admin.send);
  const login = await api.login(username, password);
  if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  const channelId = (await api.get('/api/v1/users/me')).body.videoChannels[0].id as number;
  return { api, token: api.token!, channelId };
}
