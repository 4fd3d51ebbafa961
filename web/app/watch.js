// Watch page (/w/<id>): plays a live and follows its state (waiting -> live -> ended) and viewer count
// in real time, without reloading. document.body.dataset.state: loading | waiting | playing | ended |
// unavailable | error | password (a password-protected video asks for its password).
import { ApiError, getLive, getVideo, postView, requestFileToken } from './api.js';
import { ChatPanel } from './chat.js';
import { ChatReplay } from './chat/replay.js';
import { CommentsSection } from './comments.js';
import { $, formatDate, formatRelative, hueOf, show } from './dom.js';
import { LatencyMode, PROTECTED_PRIVACIES, VideoState } from './enums.js';
import { initLayout, setPageTitle } from './layout.js';
import { LivePlayer } from './player.js';
import { askVideoPassword } from './password-prompt.js';
import { ChapterProgressBar } from './progress-bar.js';
import { watchLiveVideo } from './realtime.js';

const POLL_INTERVAL_MS = 10_000;

const ui = {
  video: $('#video', HTMLVideoElement),
  player: $('#player'),
  overlay: $('#overlay'),
  overlaySpinner: $('#overlay-spinner'),
  overlayTitle: $('#overlay-title'),
  overlayText: $('#overlay-text'),
  overlayAction: $('#overlay-action'),
  liveIndicator: $('#live-indicator'),
  goLive: $('#go-live'),
  unmute: $('#unmute'),
  qualityControl: $('#quality-control'),
  quality: $('#quality', HTMLSelectElement),
  viewerCount: $('#viewer-count'),
  viewers: $('#viewers'),
  banner: $('#state-banner'),
  title: $('#title'),
  channel: $('#channel'),
  channelAvatar: $('#channel-avatar'),
  published: $('#published'),
  description: $('#description'),
  reuploaded: $('#reuploaded'),
  comments: $('#comments'),
  chat: $('#chat'),
};

/** The id in /w/<id>: numeric id, uuid or short uuid. */
const videoRef = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] ?? '');

/** @typedef {import('./api.js').Video} Video */

/** @type {Video | null} the video as last read; set once main() has loaded it */
let video = null;
/** @type {LivePlayer | null} */
let player = null;
/** @type {ReturnType<typeof watchLiveVideo> | null} */
let realtime = null;
/** @type {ChatPanel | null} */
let chat = null;
/** @type {(() => void) | null} */
let overlayAction = null;

// ---- protected videos (private 3, internal 4, password 5) ---------------------------------------
// The API is asked with the bearer (api.js) and the password header; media URLs carry a file token
// instead, which the server re-injects into every URI of the playlists it serves (hls.js and native).
const TOKEN_RENEW_MARGIN_MS = 60_000;
/** @type {string | undefined} */
let videoPassword;
/** @type {{ token: string, expiresAt: number } | null} */
let fileToken = null;

const loadVideo = () => getVideo(videoRef, { password: videoPassword });

async function ensureFileToken() {
  if (!video || !PROTECTED_PRIVACIES.includes(video.privacy.id)) {
    fileToken = null;
    return;
  }
  if (fileToken && fileToken.expiresAt - TOKEN_RENEW_MARGIN_MS > Date.now()) return;
  const { files } = await requestFileToken(video.uuid, { password: videoPassword });
  fileToken = { token: files.token, expiresAt: Date.parse(files.expires) };
}

/** @template {string | null} U @param {U} url @returns {U} */
function withFileToken(url) {
  if (!fileToken || !url) return url;
  return /** @type {U} */ (`${url}${url.includes('?') ? '&' : '?'}videoFileToken=${encodeURIComponent(fileToken.token)}`);
}

function askPassword() {
  setBanner('locked', 'Password protected');
  setPageState('password');
  showOverlay({ title: 'This video is password protected', text: 'Enter its password to watch it.' });
  return askVideoPassword($('#overlay .overlay-box'), async (password) => {
    const unlocked = await getVideo(videoRef, { password });
    videoPassword = password;
    return unlocked;
  });
}

// ---- page chrome --------------------------------------------------------------------------------

function setPageState(/** @type {string} */ state) {
  document.body.dataset.state = state;
}

function setBanner(/** @type {string} */ kind, /** @type {string} */ text) {
  ui.banner.dataset.kind = kind;
  ui.banner.textContent = text;
}

/** @param {{ title: string, text?: string, spinner?: boolean, action?: { label: string, run: () => void } | null }} overlay */
function showOverlay({ title, text = '', spinner = false, action = null }) {
  ui.overlayTitle.textContent = title;
  ui.overlayText.textContent = text;
  show(ui.overlayText, Boolean(text));
  show(ui.overlaySpinner, spinner);
  overlayAction = action?.run ?? null;
  ui.overlayAction.textContent = action?.label ?? '';
  show(ui.overlayAction, Boolean(action));
  show(ui.overlay, true);
}

function hideOverlay() {
  show(ui.overlay, false);
  overlayAction = null;
}

function setViewers(/** @type {unknown} */ count) {
  const viewers = Math.max(0, Number(count) || 0);
  ui.viewers.textContent = String(viewers);
  show(ui.viewerCount, true);
}

function renderVideo() {
  if (!video) return;
  setPageTitle(video.name);
  ui.title.textContent = video.name;
  const channelName = video.channel?.displayName || video.channel?.name || video.account?.displayName || '';
  ui.channel.textContent = channelName;
  ui.channelAvatar.textContent = channelName.slice(0, 1).toUpperCase();
  ui.channelAvatar.style.setProperty('--hue', String(hueOf(video.channel?.name ?? channelName)));
  const date = video.publishedAt ?? video.createdAt;
  ui.published.textContent = date ? formatRelative(date) : '';
  ui.published.title = formatDate(date);
  // PeerTube's inputFileUpdatedAt: the owner re-uploaded the source (same video, new file).
  ui.reuploaded.textContent = video.inputFileUpdatedAt ? `re-uploaded on ${formatDate(video.inputFileUpdatedAt)}` : '';
  show(ui.reuploaded, Boolean(video.inputFileUpdatedAt));
  ui.description.textContent = video.description ?? '';
  show(ui.description, Boolean(video.description));
  if (video.isLive) setViewers(video.viewers);
}

// ---- player controls -------------------------------------------------------------------------------

function resetPlayerControls() {
  // Native controls only make sense over a stream; the overlay explains the rest.
  ui.video.controls = false;
  show(ui.liveIndicator, false);
  show(ui.goLive, false);
  show(ui.unmute, false);
  show(ui.qualityControl, false);
  ui.player.classList.remove('buffering');
  delete document.body.dataset.edge;
}

/** @typedef {LivePlayer['levels'][number]} Level */

/** @param {Level} level @param {Level[]} levels */
function levelLabel(level, levels) {
  if (!level.height) return `${Math.round(level.bitrate / 1000)} kbps`;
  const sameHeight = levels.filter((other) => other.height === level.height).length > 1;
  return sameHeight ? `${level.height}p (${Math.round(level.bitrate / 1000)} kbps)` : `${level.height}p`;
}

function renderLevels(/** @type {Level[]} */ levels) {
  if (!player) return;
  const options = [new Option('Auto', '-1')];
  const sorted = [...levels].sort((a, b) => (b.height - a.height) || (b.bitrate - a.bitrate));
  for (const level of sorted) options.push(new Option(levelLabel(level, levels), String(level.index)));
  ui.quality.replaceChildren(...options);
  ui.quality.value = player.autoLevel ? '-1' : String(player.currentLevel);
  show(ui.qualityControl, levels.length > 0);
}

function onLevelSwitch(/** @type {number} */ index, /** @type {boolean} */ auto) {
  if (!player) return;
  const levels = player.levels;
  const level = levels[index];
  ui.quality.options[0].textContent = auto && level ? `Auto (${levelLabel(level, levels)})` : 'Auto';
  ui.quality.value = auto ? '-1' : String(index);
}

function onEdge(/** @type {boolean} */ behind) {
  document.body.dataset.edge = behind ? 'behind' : 'live';
  show(ui.goLive, behind);
  show(ui.liveIndicator, !behind);
}

function updateUnmute() {
  show(ui.unmute, Boolean(player?.active) && (ui.video.muted || ui.video.volume === 0));
}

// ---- states --------------------------------------------------------------------------------------

const playlistOf = (/** @type {Video | null} */ item) => item?.streamingPlaylists?.find((playlist) => playlist.playlistUrl)?.playlistUrl ?? null;

/** @param {string} playlistUrl @param {{ force?: boolean }} [options] */
function startPlayback(playlistUrl, { force = false } = {}) {
  if (!video || !player) return;
  const url = withFileToken(playlistUrl);
  setBanner('live', video.isLive ? 'Live now' : video.state?.label ?? 'Published');
  setPageState('playing');
  hideOverlay();
  if (player.active && player.url === url && !force) return;
  resetPlayerControls();
  ui.video.controls = true;
  player.load(url);
  updateUnmute();
}

function stopPlayback() {
  if (player?.active) player.destroy();
  resetPlayerControls();
}

/** @param {number} stateId @param {string | null} playlistUrl */
function applyState(stateId, playlistUrl) {
  if (stateId === VideoState.PUBLISHED && playlistUrl) {
    startPlayback(playlistUrl);
    return;
  }
  stopPlayback();
  if (stateId === VideoState.LIVE_ENDED) {
    setBanner('ended', 'Live ended');
    setPageState('ended');
    showOverlay({ title: 'This live has ended', text: 'Thanks for watching!' });
  } else if (video?.isLive && (stateId === VideoState.WAITING_FOR_LIVE || stateId === VideoState.PUBLISHED)) {
    setBanner('waiting', 'Waiting for livestream');
    setPageState('waiting');
    showOverlay({
      title: 'Waiting for the stream to start',
      text: 'Playback will begin automatically as soon as the streamer goes live.',
      spinner: true,
    });
  } else {
    setBanner('unavailable', video?.state?.label ?? 'Unavailable');
    setPageState('unavailable');
    showOverlay({ title: 'This video is not available yet', text: video?.state?.label ?? '' });
  }
}

/** Re-reads the video, e.g. after a lost realtime connection, and applies what changed. */
async function refresh() {
  try {
    video = await loadVideo();
    await ensureFileToken();
  } catch (error) {
    console.warn('could not refresh the video', error);
    return false;
  }
  renderVideo();
  applyState(video.state.id, playlistOf(video));
  return true;
}

async function onPlayerFailure(/** @type {string} */ message) {
  if (!video || !player) return;
  resetPlayerControls();
  const tokenBefore = fileToken?.token;
  const playlistBefore = playlistOf(video);
  const position = ui.video.currentTime;
  // A stream that vanished is usually a live that just ended: check before blaming the network.
  try {
    video = await loadVideo();
    renderVideo();
    await ensureFileToken();
  } catch (error) {
    console.warn('could not refresh the video', error);
  }
  const url = playlistOf(video);
  if (video.state.id !== VideoState.PUBLISHED || !url) {
    applyState(video.state.id, url);
    return;
  }
  if (player.active) return; // a state change restarted playback meanwhile
  if (!video.isLive && url !== playlistBefore) {
    // The source was re-uploaded meanwhile (its old files are gone): go on with the new one, at the same place.
    startPlayback(url, { force: true });
    ui.video.addEventListener('loadedmetadata', () => { ui.video.currentTime = Math.min(position, ui.video.duration || position); }, { once: true });
    return;
  }
  if (fileToken && fileToken.token !== tokenBefore) {
    startPlayback(url, { force: true }); // the file token had expired: go on with the new one
    return;
  }
  setBanner('error', 'Playback problem');
  setPageState('error');
  showOverlay({
    title: 'The stream could not be played',
    text: message,
    action: { label: 'Retry', run: () => void ensureFileToken().catch(() => {}).then(() => startPlayback(playlistOf(video) ?? url, { force: true })) },
  });
}

function onAutoplayBlocked() {
  showOverlay({
    title: 'Press play to start watching',
    action: { label: 'Play', run: () => { hideOverlay(); ui.video.play().catch(() => {}); } },
  });
}

// ---- wiring -------------------------------------------------------------------------------------

ui.overlayAction.addEventListener('click', () => overlayAction?.());
ui.goLive.addEventListener('click', () => player?.goLive());
ui.unmute.addEventListener('click', () => {
  ui.video.muted = false;
  if (ui.video.volume === 0) ui.video.volume = 1;
  if (ui.video.paused) ui.video.play().catch(() => {});
});
ui.video.addEventListener('volumechange', updateUnmute);
ui.video.addEventListener('waiting', () => ui.player.classList.add('buffering'));
for (const type of ['playing', 'pause', 'emptied']) {
  ui.video.addEventListener(type, () => ui.player.classList.remove('buffering'));
}
ui.quality.addEventListener('change', () => player?.setLevel(Number(ui.quality.value)));
// One view per page once playback starts (on-demand and live); the server counts one per IP every few minutes.
let viewPosted = false;
ui.video.addEventListener('playing', () => {
  if (viewPosted || !video) return;
  viewPosted = true;
  postView(video.uuid, { password: videoPassword }).catch((error) => console.warn('could not count the view', error));
});

async function main() {
  void initLayout('Watch');
  resetPlayerControls();
  showOverlay({ title: 'Loading…', spinner: true });
  if (!videoRef) {
    setBanner('error', 'Not found');
    setPageState('error');
    showOverlay({ title: 'No video given in the address' });
    return;
  }
  try {
    video = await loadVideo().catch((error) => {
      if (error instanceof ApiError && error.code === 'video_requires_password') return askPassword();
      throw error;
    });
  } catch (error) {
    const notFound = error instanceof ApiError && error.status === 404;
    setBanner('error', notFound ? 'Not found' : 'Error');
    setPageState('error');
    ui.title.textContent = notFound ? 'Video not found' : 'Could not load this video';
    showOverlay({ title: notFound ? 'This video does not exist or is not public' : error instanceof Error ? error.message : String(error) });
    return;
  }

  // The live's latency mode tunes the player; its settings are public (the stream key is not).
  const latencyMode = video.isLive ? await getLive(video.uuid).then((live) => live.latencyMode, () => LatencyMode.DEFAULT) : LatencyMode.DEFAULT;
  player = new LivePlayer(ui.video, {
    live: video.isLive,
    latencyMode,
    onEdge,
    onLevels: renderLevels,
    onLevelSwitch,
    onFailure: (message) => void onPlayerFailure(message),
    onAutoplayBlocked,
  });
  renderVideo();

  if (video.isLive) {
    realtime = watchLiveVideo(video.id, {
      onState: ({ state, playlistUrl }) => {
        if (video) video.state = state;
        applyState(state.id, playlistUrl);
      },
      onViewers: setViewers,
      onReconnect: () => void refresh(),
      password: videoPassword,
      uuid: video.uuid,
    });
    // Without socket.io (blocked or failed to load) fall back to polling.
    if (!realtime.available) setInterval(() => void refresh(), POLL_INTERVAL_MS);
  }
  await ensureFileToken().catch((error) => console.warn('could not get a file token', error));
  applyState(video.state.id, playlistOf(video));
  // On-demand: a progress bar with the chapters and the storyboard preview.
  // Protected videos: the password header (the bearer goes anyway) and the file token for the sprite.
  if (!video.isLive && playlistOf(video)) {
    void new ChapterProgressBar(ui.video, ui.player).load(video, { password: videoPassword, mediaUrl: withFileToken });
  }
  void new CommentsSection(ui.comments, video, { password: videoPassword }).load();
  // A live has its chat; a video that was a live replays the chat said during it.
  if (video.isLive) chat = new ChatPanel(ui.chat, video, { password: videoPassword }).start();
  else void new ChatReplay(ui.chat, ui.video).load(video, { password: videoPassword });
}

window.addEventListener('pagehide', () => {
  realtime?.close();
  chat?.close();
  player?.destroy();
});

void main();
