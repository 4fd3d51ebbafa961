// HTTP client of the PeerTube-compatible REST API: JSON helpers, OAuth tokens kept in
// localStorage, a transparent refresh when the access token expires, and typed errors.

const API_ROOT = '/api/v1';
const TOKEN_KEY = 'livecast.auth';
/** Refresh a little before the server says the access token expires. */
const EXPIRY_MARGIN_MS = 30_000;

/** An API failure; `detail` is the server's human-readable explanation, fit to show to the user. */
export class ApiError extends Error {
  /** @param {number} status @param {string} code @param {string} [detail] */
  constructor(status, code, detail) {
    super(detail || `Request failed (${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.detail = this.message;
  }
}

/** @typedef {import('../../api/schemas/video.ts').VideoJson} Video */
/** @typedef {import('../../api/schemas/video.ts').VideoListJson} VideoList */
/** @typedef {import('../../api/schemas/live.ts').LiveJson} Live */
/** @typedef {import('../../api/schemas/live.ts').LiveCreatedJson} LiveCreated */
/** @typedef {import('../../api/schemas/live.ts').LiveSessionListJson} LiveSessionList */
/** @typedef {import('../../api/schemas/live.ts').LiveCreateBody} LiveCreateBody */
/** @typedef {import('../../api/schemas/live.ts').LiveUpdateBody} LiveUpdateBody */
/** @typedef {import('../../api/schemas/live.ts').StreamKeyRenewedJson} StreamKeyRenewed */
/** @typedef {import('../../api/schemas/video.ts').VideoUpdateBody} VideoUpdateBody */
/** @typedef {import('../../api/schemas/user.ts').UserJson} User */
/** @typedef {import('../../api/schemas/comments.ts').CommentJson} Comment */
/** @typedef {import('../../api/schemas/comments.ts').CommentListJson} CommentList */
/** @typedef {import('../../api/schemas/comments.ts').CommentTreeJson} CommentTree */
/** @typedef {import('../../api/schemas/comments.ts').CommentCreatedJson} CommentCreated */
/** @typedef {import('../../api/schemas/chat.ts').ChatReplayListJson} ChatReplayList */
/** @typedef {import('../../api/schemas/chat.ts').ChatMessageJson} ChatMessage */

/**
 * @typedef {object} RequestOptions
 * @property {string} [method]
 * @property {Record<string, unknown>} [query] appended to the URL; undefined values are left out
 * @property {unknown} [json] sent as the JSON body
 * @property {Record<string, string>} [form] sent as application/x-www-form-urlencoded
 * @property {string | null} [token] the bearer token
 * @property {Record<string, string>} [headers]
 */
/**
 * What the calls below take besides their ids: the password of a password-protected video (privacy 5), and paging.
 * @typedef {{ password?: string, start?: number, count?: number, from?: number, to?: number }} VideoCallOptions
 */

// ---- token storage ----------------------------------------------------------------------

/** @returns {Tokens | null} */
export function getTokens() {
  try {
    const tokens = JSON.parse(localStorage.getItem(TOKEN_KEY) ?? 'null');
    return tokens && typeof tokens.accessToken === 'string' ? tokens : null;
  } catch {
    return null;
  }
}

/**
 * @typedef {{ accessToken: string, refreshToken: string | null, expiresAt: number }} Tokens
 */

/** @param {{ access_token: string, refresh_token?: string, expires_in?: number }} response @returns {Tokens} */
function saveTokens(response) {
  const tokens = {
    accessToken: response.access_token,
    refreshToken: response.refresh_token ?? null,
    expiresAt: Date.now() + Number(response.expires_in ?? 0) * 1000,
  };
  localStorage.setItem(TOKEN_KEY, JSON.stringify(tokens));
  return tokens;
}

export function clearTokens() {
  localStorage.removeItem(TOKEN_KEY);
}

export function isLoggedIn() {
  return getTokens() !== null;
}

// ---- low-level request --------------------------------------------------------------------

/** @param {string} path @param {Record<string, unknown> | undefined} query */
function buildUrl(path, query) {
  const url = new URL(API_ROOT + path, location.origin);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
  }
  return url.pathname + url.search;
}

/** @param {Response} response */
async function errorOf(response) {
  let body = null;
  try { body = await response.json(); } catch { /* not JSON */ }
  return new ApiError(response.status, body?.code ?? 'error', body?.detail ?? body?.error ?? response.statusText);
}

/**
 * @param {string} path
 * @param {RequestOptions} [options]
 */
async function send(path, { method = 'GET', query, json, form, token, headers: extraHeaders } = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json', ...extraHeaders };
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = new URLSearchParams(form);
  }
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    return await fetch(buildUrl(path, query), { method, headers, body, credentials: 'omit' });
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection and try again.');
  }
}

/**
 * The response's JSON (null for 204 or a body that is not JSON), or its ApiError.
 * @param {Response} response
 * @returns {Promise<any>} the caller says which API shape it reads
 */
async function parse(response) {
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') ?? '';
  return type.includes('json') ? response.json() : null;
}

// ---- OAuth ----------------------------------------------------------------------------------

/** @type {Promise<{ client_id: string, client_secret: string }> | null} */
let clientPromise = null;
function localClient() {
  clientPromise ??= send('/oauth-clients/local').then(parse).catch((error) => {
    clientPromise = null;
    throw error;
  });
  return clientPromise;
}

/** @param {Record<string, string>} fields */
async function tokenRequest(fields) {
  const client = await localClient();
  const response = await send('/users/token', {
    method: 'POST',
    form: { client_id: client.client_id, client_secret: client.client_secret, ...fields },
  });
  return saveTokens(await parse(response));
}

// A refresh token is single-use: concurrent callers share one refresh.
/** @type {Promise<Tokens | null> | null} */
let refreshing = null;
function refreshTokens() {
  const current = getTokens();
  if (!current?.refreshToken) return Promise.resolve(null);
  refreshing ??= tokenRequest({ grant_type: 'refresh_token', refresh_token: current.refreshToken })
    .catch((error) => {
      // Only a rejected refresh token ends the session; a network blip keeps it for later.
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) clearTokens();
      return null;
    })
    .finally(() => { refreshing = null; });
  return refreshing;
}

/** The access token to send, refreshed first when it is about to expire; null when logged out. */
export async function accessToken() {
  const tokens = getTokens();
  if (!tokens) return null;
  if (tokens.refreshToken && tokens.expiresAt && Date.now() > tokens.expiresAt - EXPIRY_MARGIN_MS) {
    return (await refreshTokens())?.accessToken ?? null;
  }
  return tokens.accessToken;
}

/**
 * Calls the API and returns its parsed JSON (null for 204). With `auth`, sends the bearer token,
 * refreshing it once on a 401; a session the server no longer knows is cleared.
 * @param {string} path
 * @param {RequestOptions & { auth?: boolean }} [options]
 */
export async function request(path, { auth = true, ...options } = {}) {
  const token = auth ? await accessToken() : null;
  let response = await send(path, { ...options, token });
  if (response.status === 401 && token) {
    const renewed = await refreshTokens();
    if (renewed) {
      response = await send(path, { ...options, token: renewed.accessToken });
    } else {
      clearTokens();
    }
  }
  return parse(response);
}

/** @param {string} username @param {string} password */
export async function login(username, password) {
  await tokenRequest({ grant_type: 'password', username, password });
}

export async function logout() {
  const token = getTokens()?.accessToken;
  clearTokens();
  if (!token) return;
  try {
    await send('/users/revoke-token', { method: 'POST', token });
  } catch { /* the local session is gone either way */ }
}

// ---- endpoints --------------------------------------------------------------------------------

/** @type {Promise<{ instance?: { name?: string } }> | null} */
let configPromise = null;
export function getConfig() {
  configPromise ??= request('/config', { auth: false }).catch((error) => {
    configPromise = null;
    throw error;
  });
  return configPromise;
}

/** @returns {Promise<User>} */
export const getMe = () => request('/users/me');

/**
 * `params`: start, count, isLive, state, sort.
 * @param {Record<string, unknown>} [params]
 */
/** @returns {Promise<VideoList>} */
export const listVideos = (params = {}) => request('/videos', { query: params });
/**
 * @param {Record<string, unknown>} [params]
 */
/** @returns {Promise<VideoList>} */
export const listMyVideos = (params = {}) => request('/users/me/videos', { query: params });
/** PeerTube's header for the password of a password-protected video (privacy 5). */
const passwordHeaders = (/** @type {string | undefined} */ password) => (password ? { 'x-peertube-video-password': password } : undefined);
/**
 * `password`: for a password-protected video (errors: video_requires_password, incorrect_video_password).
 * @param {number | string} id
 * @returns {Promise<Video>}
 */
export const getVideo = (id, { password } = /** @type {VideoCallOptions} */ ({})) => request(`/videos/${encodeURIComponent(id)}`, { headers: passwordHeaders(password) });
/**
 * A short-lived token for the video's media URLs (`?videoFileToken=`).
 * @param {number | string} id
 * @returns {Promise<{ files: { token: string, expires: string } }>}
 */
export const requestFileToken = (id, { password } = /** @type {VideoCallOptions} */ ({})) =>
  request(`/videos/${encodeURIComponent(id)}/token`, { method: 'POST', headers: passwordHeaders(password) });
/** @param {number | string} id @param {VideoUpdateBody} patch */
export const updateVideo = (id, patch) => request(`/videos/${encodeURIComponent(id)}`, { method: 'PUT', json: patch });

/** @param {LiveCreateBody} body @returns {Promise<LiveCreated>} */
export const createLive = (body) => request('/videos/live', { method: 'POST', json: body });
/** @param {number | string} id @returns {Promise<Live>} */
export const getLive = (id) => request(`/videos/live/${encodeURIComponent(id)}`);
/** @param {number | string} id @param {LiveUpdateBody} patch */
export const updateLive = (id, patch) => request(`/videos/live/${encodeURIComponent(id)}`, { method: 'PUT', json: patch });
/**
 * A new stream key for the live: `{ streamKey }`; the old one stops working.
 * @param {number | string} id
 * @returns {Promise<StreamKeyRenewed>}
 */
export const regenerateStreamKey = (id) => request(`/videos/live/${encodeURIComponent(id)}/stream-key`, { method: 'POST' });
/** @param {number | string} id @returns {Promise<LiveSessionList>} */
export const listLiveSessions = (id) => request(`/videos/live/${encodeURIComponent(id)}/sessions`);

// ---- views and comments (PeerTube's shapes) ---------------------------------------------------

/**
 * Counts a view (the server keeps one per IP and video every few minutes).
 * @param {number | string} id
 */
export const postView = (id, { password } = /** @type {VideoCallOptions} */ ({})) =>
  request(`/videos/${encodeURIComponent(id)}/views`, { method: 'POST', json: {}, headers: passwordHeaders(password) });
/** @param {number | string} id @returns {Promise<CommentList>} */
export const listCommentThreads = (id, { password, start = 0, count = 20 } = /** @type {VideoCallOptions} */ ({})) =>
  request(`/videos/${encodeURIComponent(id)}/comment-threads`, { query: { start, count }, headers: passwordHeaders(password) });
/** @param {number | string} id @param {number} threadId @returns {Promise<CommentTree>} */
export const getCommentThread = (id, threadId, { password } = /** @type {VideoCallOptions} */ ({})) =>
  request(`/videos/${encodeURIComponent(id)}/comment-threads/${encodeURIComponent(threadId)}`, { headers: passwordHeaders(password) });
/** @param {number | string} id @param {string} text @returns {Promise<CommentCreated>} */
export const addComment = (id, text, { password } = /** @type {VideoCallOptions} */ ({})) =>
  request(`/videos/${encodeURIComponent(id)}/comment-threads`, { method: 'POST', json: { text }, headers: passwordHeaders(password) });
/** @param {number | string} id @param {number} commentId @param {string} text @returns {Promise<CommentCreated>} */
export const replyToComment = (id, commentId, text, { password } = /** @type {VideoCallOptions} */ ({})) =>
  request(`/videos/${encodeURIComponent(id)}/comments/${encodeURIComponent(commentId)}`, { method: 'POST', json: { text }, headers: passwordHeaders(password) });
/** @param {number | string} id @param {number} commentId */
export const deleteComment = (id, commentId, { password } = /** @type {VideoCallOptions} */ ({})) =>
  request(`/videos/${encodeURIComponent(id)}/comments/${encodeURIComponent(commentId)}`, { method: 'DELETE', headers: passwordHeaders(password) });

// ---- chat (docs/CHAT.md; the live chat itself goes over socket.io) --------------------------------

/**
 * The messages said during the live this video records, by offsetSeconds.
 * @param {number | string} id
 * @returns {Promise<ChatReplayList>}
 */
export const getChatReplay = (id, { password, from, to } = /** @type {VideoCallOptions} */ ({})) =>
  request(`/videos/${encodeURIComponent(id)}/chat/replay`, { query: { from, to }, headers: passwordHeaders(password) });
