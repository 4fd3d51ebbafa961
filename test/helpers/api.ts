// A small client of our own REST API, as a PeerTube client would use it.
import { ADMIN_PASSWORD } from './server.ts';

export interface ApiResponse<T = any> { status: number; body: T }

export class ApiClient {
  readonly baseUrl: string;
  token: string | undefined;
  /** How requests go out: fetch, or app.inject() behind a fetch (test/helpers/in-process.ts). */
  readonly send: typeof fetch;

  constructor(baseUrl: string, token?: string, send: typeof fetch = fetch) {
    this.baseUrl = baseUrl;
    this.token = token;
    this.send = send;
  }

  async request<T = any>(method: string, path: string, body?: unknown, form = false): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = form ? 'application/x-www-form-urlencoded' : 'application/json';
      payload = form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body);
    }
    const response = await this.send(`${this.baseUrl}${path}`, { method, headers, body: payload });
    const text = await response.text();
    return { status: response.status, body: text ? safeJson(text) : undefined } as ApiResponse<T>;
  }

  get<T = any>(path: string) { return this.request<T>('GET', path); }
  post<T = any>(path: string, body?: unknown) { return this.request<T>('POST', path, body); }
  put<T = any>(path: string, body?: unknown) { return this.request<T>('PUT', path, body); }

  async login(username: string, password: string): Promise<ApiResponse> {
    const client = await this.get('/api/v1/oauth-clients/local');
    const response = await this.request('POST', '/api/v1/users/token', {
      client_id: client.body.client_id, client_secret: client.body.client_secret,
      grant_type: 'password', username, password,
    }, true);
    if (response.status === 200) this.token = response.body.access_token;
    return response;
  }

  static async asAdmin(baseUrl: string, send: typeof fetch = fetch): Promise<ApiClient> {
    const api = new ApiClient(baseUrl, undefined, send);
    const response = await api.login('root', ADMIN_PASSWORD);
    if (response.status !== 200) throw new Error(`admin login failed: ${JSON.stringify(response.body)}`);
    return api;
  }

  /** Creates a live on the caller's first channel and returns its ids and stream key. */
  async createLive(settings: Record<string, unknown> = {}) {
    const me = await this.get('/api/v1/users/me');
    const created = await this.post('/api/v1/videos/live', { channelId: me.body.videoChannels[0].id, name: 'Test live', ...settings });
    if (created.status !== 200) throw new Error(`live creation failed: ${JSON.stringify(created.body)}`);
    const live = await this.get(`/api/v1/videos/live/${created.body.video.id}`);
    return { id: created.body.video.id as number, uuid: created.body.video.uuid as string, shortUUID: created.body.video.shortUUID as string, streamKey: live.body.streamKey as string };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
