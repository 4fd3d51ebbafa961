// Studio: the selected live, kept in the address (#live=<shortUUID>) so a reload keeps it: its
// header (state, audience, privacy), OBS settings, settings form, sessions, chapters; its state and
// audience are re-read while it is shown.
import { ApiError, getLive, getVideo } from '../api.js';
import { $, formatDate, formatRelative, setMessage, show } from '../dom.js';
import { PRIVACY_LABELS, VideoState } from '../enums.js';
import { reportError } from './account.js';
import { showVideoExtras } from './chapters.js';
import { fillEditForm } from './edit-live.js';
import { formMessage } from './live-form.js';
import { renderMyLives, stateBadge } from './live-list.js';
import { renderObsPanel } from './obs-panel.js';
import { loadSessions } from './sessions.js';
import { startFollowing, studio } from './state.js';

/** @typedef {import('../api.js').Video} Video */

/** How often the selected live's state and audience are re-read. */
const FOLLOW_INTERVAL_MS = 5_000;

/** Counts selections, so that only the latest one shows when answers come back out of order. */
let selectionSeq = 0;

/** @param {Video} video */
const sessionOf = (video) => video.streamingPlaylists?.[0]?.id ?? null;

/** One re-read of the selected live: the badge and the list follow its state, the sessions its runs. */
async function refreshSelected(/** @type {Video} */ video) {
  if (document.hidden || studio.selected?.video.id !== video.id) return;
  let fresh;
  try {
    fresh = await getVideo(video.id);
  } catch {
    return; // transient: try again on the next tick
  }
  const selected = studio.selected;
  if (selected?.video.id !== video.id) return;
  $('#detail-viewers').textContent = String(fresh.viewers ?? 0);
  const changed = fresh.state.id !== selected.video.state.id || sessionOf(fresh) !== sessionOf(selected.video);
  const becameOnDemand = fresh.isLive !== selected.video.isLive;
  selected.video = { ...selected.video, state: fresh.state, viewers: fresh.viewers, streamingPlaylists: fresh.streamingPlaylists, isLive: fresh.isLive, duration: fresh.duration };
  // The replay was published: its chapters can now be edited, its storyboard is on its way.
  if (becameOnDemand) void showVideoExtras(selected.video);
  // While streaming, also refresh the sessions for the running duration.
  if (!changed) {
    if (fresh.state.id === VideoState.PUBLISHED) void loadSessions();
    return;
  }
  stateBadge($('#detail-state'), fresh.state);
  const listed = studio.myLives.find((item) => item.id === video.id);
  if (listed) {
    listed.state = fresh.state;
    renderMyLives();
  }
  void loadSessions();
}

/**
 * Keeps the selected live's state, viewer count and sessions current. This polls rather than joining
 * the /live-videos realtime room: the server counts every subscriber as a viewer, and the streamer's
 * own studio should not inflate the audience.
 */
function followSelected(/** @type {Video} */ video) {
  startFollowing(() => void refreshSelected(video), FOLLOW_INTERVAL_MS);
}

/**
 * Opens a live by any of its ids. `quiet` keeps the settings form's message ("Saved.").
 * @param {string} ref
 * @param {{ quiet?: boolean }} [options]
 */
export async function selectLive(ref, { quiet = false } = {}) {
  const seq = ++selectionSeq;
  if (!quiet) setMessage(formMessage('edit'), '');
  let video;
  let live;
  try {
    [video, live] = await Promise.all([getVideo(ref), getLive(ref)]);
  } catch (error) {
    if (seq !== selectionSeq) return;
    if (error instanceof ApiError && error.status === 404) {
      setMessage($('#studio-error'), `No live found for “${ref}”.`);
    } else {
      reportError(error, $('#studio-error'));
    }
    return;
  }
  if (seq !== selectionSeq) return;
  setMessage($('#studio-error'), '');
  setMessage($('#details-error'), '');
  studio.selected = { video, live };
  history.replaceState(null, '', `#live=${encodeURIComponent(video.shortUUID)}`);
  renderDetails(video);
  renderObsPanel(video, live);
  fillEditForm();
  renderMyLives();
  followSelected(video);
  void showVideoExtras(video);
  await loadSessions();
}

function renderDetails(/** @type {Video} */ video) {
  show($('#no-selection'), false);
  show($('#live-details'), true);
  stateBadge($('#detail-state'), video.state);
  $('#detail-title').textContent = video.name;
  $('#detail-viewers').textContent = String(video.viewers ?? 0);
  $('#detail-privacy').textContent = video.privacy?.label ?? PRIVACY_LABELS[video.privacy?.id] ?? '';
  $('#detail-created').textContent = formatRelative(video.createdAt);
  $('#detail-created').title = formatDate(video.createdAt);
  $('#watch-link', HTMLAnchorElement).href = video.url || `/w/${video.shortUUID}`;
}
