// Watch page (/w/<id>): plays a live and follows its state (waiting -> live -> ended) and viewer count
// in real time, without reloading. document.body.dataset.state: loading | waiting | playing | ended |
// unavailable | error.
import { ApiError, getLive, getVideo, VideoState } from './api.js';
import { $, formatDate, formatRelative, hueOf, show } from './dom.js';
import { initLayout, setPageTitle } from './layout.js';
import { LivePlayer } from './player.js';
import { watchLiveVideo } from './realtime.js';

const POLL_INTERVAL_MS = 10_000;

const ui = {
  video: $('#video'),
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
  quality: $('#quality'),
  viewerCount: $('#viewer-count'),
  viewers: $('#viewers'),
  banner: $('#state-banner'),
  title: $('#title'),
  channel: $('#channel'),
  channelAvatar: $('#channel-avatar'),
  published: $('#published'),
  description: $('#description'),
};

/** The id in /w/<id>: numeric id, uuid or short uuid. */
const videoRef = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] ?? '');

let video = null;
let player = null;
let realtime = null;
let overlayAction = null;

// ---- page chrome --------------------------------------------------------------------------------

function setPageState(state) {
  document.body.dataset.state = state;
}

function setBanner(kind, text) {
  ui.banner.dataset.kind = kind;
  ui.banner.textContent = text;
}

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

function setViewers(count) {
  const viewers = Math.max(0, Number(count) || 0);
  ui.viewers.textContent = String(viewers);
  show(ui.viewerCount, true);
}

function renderVideo() {
  setPageTitle(video.name);
  ui.title.textContent = video.name;
  const channelName = video.channel?.displayName || video.channel?.name || video.account?.displayName || '';
  ui.channel.textContent = channelName;
  ui.channelAvatar.textContent = channelName.slice(0, 1).toUpperCase();
  ui.channelAvatar.style.setProperty('--hue', String(hueOf(video.channel?.name ?? channelName)));
  const date = video.publishedAt ?? video.createdAt;
  ui.published.textContent = date ? formatRelative(date) : '';
  ui.published.title = formatDate(date);
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

function levelLabel(level, levels) {
  if (!level.height) return `${Math.round(level.bitrate / 1000)} kbps`;
  const sameHeight = levels.filter((other) => other.height === level.height).length > 1;
  return sameHeight ? `${level.height}p (${Math.round(level.bitrate / 1000)} kbps)` : `${level.height}p`;
}

function renderLevels(levels) {
  const options = [new Option('Auto', '-1')];
  const sorted = [...levels].sort((a, b) => (b.height - a.height) || (b.bitrate - a.bitrate));
  for (const level of sorted) options.push(new Option(levelLabel(level, levels), String(level.index)));
  ui.quality.replaceChildren(...options);
  ui.quality.value = player.autoLevel ? '-1' : String(player.currentLevel);
  show(ui.qualityControl, levels.length > 0);
}

function onLevelSwitch(index, auto) {
  const levels = player.levels;
  const level = levels[index];
  ui.quality.options[0].textContent = auto && level ? `Auto (${levelLabel(level, levels)})` : 'Auto';
  ui.quality.value = auto ? '-1' : String(index);
}

function onEdge(behind) {
  document.body.dataset.edge = behind ? 'behind' : 'live';
  show(ui.goLive, behind);
  show(ui.liveIndicator, !behind);
}

function updateUnmute() {
  show(ui.unmute, Boolean(player?.active) && (ui.video.muted || ui.video.volume === 0));
}

// ---- states --------------------------------------------------------------------------------------

const playlistOf = (item) => item?.streamingPlaylists?.find((playlist) => playlist.playlistUrl)?.playlistUrl ?? null;

function startPlayback(url, { force = false } = {}) {
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
  if (player.active) player.destroy();
  resetPlayerControls();
}

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
  } else if (video.isLive && (stateId === VideoState.WAITING_FOR_LIVE || stateId === VideoState.PUBLISHED)) {
    setBanner('waiting', 'Waiting for livestream');
    setPageState('waiting');
    showOverlay({
      title: 'Waiting for the stream to start',
      text: 'Playback will begin automatically as soon as the streamer goes live.',
      spinner: true,
    });
  } else {
    setBanner('unavailable', video.state?.label ?? 'Unavailable');
    setPageState('unavailable');
    showOverlay({ title: 'This video is not available yet', text: video.state?.label ?? '' });
  }
}

/** Re-reads the video, e.g. after a lost realtime connection, and applies what changed. */
async function refresh() {
  try {
    video = await getVideo(videoRef);
  } catch (error) {
    console.warn('could not refresh the video', error);
    return false;
  }
  renderVideo();
  applyState(video.state.id, playlistOf(video));
  return true;
}

async function onPlayerFailure(message) {
  resetPlayerControls();
  // A stream that vanished is usually a live that just ended: check before blaming the network.
  try {
    video = await getVideo(videoRef);
    renderVideo();
  } catch (error) {
    console.warn('could not refresh the video', error);
  }
  const url = playlistOf(video);
  if (video.state.id !== VideoState.PUBLISHED || !url) {
    applyState(video.state.id, url);
    return;
  }
  if (player.active) return; // a state change restarted playback meanwhile
  setBanner('error', 'Playback problem');
  setPageState('error');
  showOverlay({
    title: 'The stream could not be played',
    text: message,
    action: { label: 'Retry', run: () => startPlayback(playlistOf(video) ?? url, { force: true }) },
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
    video = await getVideo(videoRef);
  } catch (error) {
    const notFound = error instanceof ApiError && error.status === 404;
    setBanner('error', notFound ? 'Not found' : 'Error');
    setPageState('error');
    ui.title.textContent = notFound ? 'Video not found' : 'Could not load this video';
    showOverlay({ title: notFound ? 'This video does not exist or is not public' : error.message });
    return;
  }

  // The live's latency mode tunes the player; its settings are public (the stream key is not).
  const latencyMode = video.isLive ? await getLive(video.id).then((live) => live.latencyMode, () => 1) : 1;
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
        video.state = state;
        applyState(state.id, playlistUrl);
      },
      onViewers: setViewers,
      onReconnect: () => void refresh(),
    });
    // Without socket.io (blocked or failed to load) fall back to polling.
    if (!realtime.available) setInterval(() => void refresh(), POLL_INTERVAL_MS);
  }
  applyState(video.state.id, playlistOf(video));
}

window.addEventListener('pagehide', () => {
  realtime?.close();
  player?.destroy();
});

void main();
