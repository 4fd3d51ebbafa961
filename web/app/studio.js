// Studio (/studio): sign in, create lives, list the user's lives, edit one, see its OBS settings and
// its sessions. The selected live is kept in the address (#live=<shortUUID>) so a reload keeps it.
// document.body.dataset.auth: unknown | out | in.
import {
  ApiError, createLive, getLive, getMe, getVideo, isLoggedIn, listLiveSessions, listMyVideos, login, logout,
  regenerateStreamKey, updateLive, updateVideo, VideoState,
} from './api.js';
import { $, el, formatDate, formatDuration, formatRelative, setMessage, show } from './dom.js';
import { copyText } from './clipboard.js';
import { initLayout } from './layout.js';
import { showVideoExtras } from './studio-chapters.js';

const PRIVACY_LABELS = { 1: 'Public', 2: 'Unlisted', 3: 'Private', 4: 'Internal', 5: 'Password protected' };
const LIVE_ERRORS = {
  1: 'Bad stream health', 2: 'Maximum duration exceeded', 3: 'Quota exceeded', 4: 'Transcoding failed',
  5: 'Blocked', 6: 'Runner job error', 7: 'Runner job cancelled',
};
/** How often the selected live's state and audience are re-read. */
const FOLLOW_INTERVAL_MS = 5_000;

let me = null;
let myLives = [];
let selected = null; // { video, live }
let selectionSeq = 0;
let followTimer = null;

// ---- sign in / out ---------------------------------------------------------------------------------

function showSignedOut(message = '') {
  document.body.dataset.auth = 'out';
  me = null;
  stopFollowing();
  show($('#studio'), false);
  show($('#header-user'), false);
  show($('#login-section'), true);
  setMessage($('#login-error'), message);
  $('#login-username').focus();
}

function showSignedIn() {
  document.body.dataset.auth = 'in';
  show($('#login-section'), false);
  show($('#studio'), true);
  show($('#header-user'), true);
  $('#me-name').textContent = me.account?.displayName || me.username;
  if (!me.videoChannels?.length) {
    setMessage($('#studio-error'), 'Your account has no channel: you cannot create lives.');
    $('#create-submit').disabled = true;
  }
}

/** Shows an API error in `node`; an expired session sends back to the sign-in form. */
function reportError(error, node) {
  if (error instanceof ApiError && error.status === 401) {
    showSignedOut('Your session has expired: please sign in again.');
    return;
  }
  setMessage(node, error.message || String(error));
}

async function loadMe() {
  try {
    me = await getMe();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) showSignedOut('Your session has expired: please sign in again.');
    else showSignedOut(`Could not load your account: ${error.message}`);
    return false;
  }
  showSignedIn();
  return true;
}

async function enterStudio() {
  if (!await loadMe()) return;
  await loadMyLives();
  const ref = new URLSearchParams(location.hash.slice(1)).get('live');
  if (ref) await selectLive(ref);
}

$('#login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const username = $('#login-username').value.trim();
  const password = $('#login-password').value;
  if (!username || !password) {
    setMessage($('#login-error'), 'Enter your username and password.');
    return;
  }
  const submit = $('#login-submit');
  submit.disabled = true;
  setMessage($('#login-error'), '');
  try {
    await login(username, password);
    $('#login-password').value = '';
    await enterStudio();
  } catch (error) {
    setMessage($('#login-error'), error.message);
  } finally {
    submit.disabled = false;
  }
});

$('#logout').addEventListener('click', async () => {
  await logout();
  selected = null;
  history.replaceState(null, '', location.pathname);
  showSignedOut();
});

// ---- my lives --------------------------------------------------------------------------------------

function stateBadge(node, state) {
  node.textContent = state?.id === VideoState.PUBLISHED ? 'LIVE' : state?.label ?? '';
  node.className = `badge ${{ 1: 'badge-live', 4: 'badge-waiting', 5: 'badge-ended' }[state?.id] ?? ''}`;
}

function renderMyLives() {
  const list = $('#my-lives');
  list.replaceChildren(...myLives.map((video) => {
    const badge = el('span');
    stateBadge(badge, video.state);
    const button = el('button', {
      type: 'button',
      className: 'live-item',
      dataset: { videoId: String(video.id), shortUuid: video.shortUUID },
      on: { click: () => void selectLive(video.shortUUID) },
    },
    el('span', { className: 'live-item-name', text: video.name }),
    el('span', { className: 'live-item-meta' }, badge, el('span', { className: 'muted small', text: formatRelative(video.createdAt) })));
    if (selected?.video.id === video.id) button.setAttribute('aria-current', 'true');
    return el('li', {}, button);
  }));
  list.setAttribute('aria-busy', 'false');
  show($('#my-lives-empty'), myLives.length === 0);
}

async function loadMyLives() {
  try {
    // Every privacy of the user's own lives, newest first.
    const { data } = await listMyVideos({ count: 100, isLive: true, sort: '-createdAt' });
    myLives = data;
    if (selected && !myLives.some((video) => video.id === selected.video.id)) myLives.unshift(selected.video);
    setMessage($('#my-lives-error'), '');
  } catch (error) {
    reportError(error, $('#my-lives-error'));
  }
  renderMyLives();
}

$('#refresh-lives').addEventListener('click', () => void loadMyLives());

/** Accepts an id, a uuid, a short uuid or a watch URL (…/w/<id>). */
function refOf(input) {
  const text = input.trim();
  const match = /\/w\/([^/?#]+)/.exec(text);
  return match ? decodeURIComponent(match[1]) : text;
}

$('#open-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const ref = refOf($('#open-ref').value);
  if (ref) void selectLive(ref);
});

// ---- create ----------------------------------------------------------------------------------------

function bindReplayToggle(checkbox, select) {
  const sync = () => { select.disabled = !checkbox.checked; };
  checkbox.addEventListener('change', sync);
  sync();
  return sync;
}

// ---- video password (privacy 5) ----------------------------------------------------------------------
// One password in the studio (PeerTube's UI); the API takes many (videoPasswords, /passwords). The
// field shows when the live or its replay is password protected; on the edit form it is required only
// when the video becomes password protected (an empty field keeps the passwords it has).
const PASSWORD_PROTECTED = 5;

/** Whether the form's live (`privacy`) or its replay (`replayPrivacy`, when saved) is password protected. */
function wantsPassword(prefix) {
  const saveReplay = $(`#${prefix}-save-replay`).checked;
  return Number($(`#${prefix}-privacy`).value) === PASSWORD_PROTECTED ||
    (saveReplay && Number($(`#${prefix}-replay-privacy`).value) === PASSWORD_PROTECTED);
}

/** Whether the selected live already has passwords (it or its replay is password protected). */
function hasPasswords() {
  if (!selected) return false;
  return selected.video.privacy?.id === PASSWORD_PROTECTED ||
    (Boolean(selected.live.saveReplay) && selected.live.replaySettings?.privacy === PASSWORD_PROTECTED);
}

function syncPasswordField(prefix) {
  const input = $(`#${prefix}-password`);
  const visible = wantsPassword(prefix);
  show($(`#${prefix}-password-field`), visible);
  input.disabled = !visible;
  const keeps = prefix === 'edit' && hasPasswords();
  input.required = visible && !keeps;
  input.placeholder = keeps ? 'Leave empty to keep the current password' : '';
  if (!visible) input.value = '';
}

for (const prefix of ['create', 'edit']) {
  for (const id of ['privacy', 'save-replay', 'replay-privacy']) {
    $(`#${prefix}-${id}`).addEventListener('change', () => syncPasswordField(prefix));
  }
}

const syncCreateReplay = bindReplayToggle($('#create-save-replay'), $('#create-replay-privacy'));
const syncEditReplay = bindReplayToggle($('#edit-save-replay'), $('#edit-replay-privacy'));
syncPasswordField('create');

$('#create-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const error = $('#create-error');
  const name = $('#create-name').value.trim();
  if (name.length < 3) {
    setMessage(error, 'The title needs at least 3 characters.');
    return;
  }
  const saveReplay = $('#create-save-replay').checked;
  const body = {
    channelId: me.videoChannels[0].id,
    name,
    description: $('#create-description').value,
    privacy: Number($('#create-privacy').value),
    latencyMode: Number($('#create-latency').value),
    saveReplay,
    permanentLive: $('#create-permanent').checked,
  };
  if (saveReplay) body.replaySettings = { privacy: Number($('#create-replay-privacy').value) };
  if (wantsPassword('create')) {
    const password = $('#create-password').value;
    if (!password) {
      setMessage(error, 'A password-protected video needs a password.');
      return;
    }
    // The live's passwords also protect its replay (replay privacy 5).
    body.videoPasswords = [password];
  }

  const submit = $('#create-submit');
  submit.disabled = true;
  setMessage(error, '');
  try {
    const { video } = await createLive(body);
    form.reset();
    syncCreateReplay();
    syncPasswordField('create');
    await selectLive(video.shortUUID);
    await loadMyLives();
  } catch (failure) {
    reportError(failure, error);
  } finally {
    submit.disabled = false;
  }
});

// ---- selected live ---------------------------------------------------------------------------------

function stopFollowing() {
  clearInterval(followTimer);
  followTimer = null;
}

/**
 * Keeps the selected live's state, viewer count and sessions current. This polls rather than joining
 * the /live-videos realtime room: the server counts every subscriber as a viewer, and the streamer's
 * own studio should not inflate the audience.
 */
function followSelected(video) {
  stopFollowing();
  followTimer = setInterval(async () => {
    if (document.hidden || selected?.video.id !== video.id) return;
    let fresh;
    try {
      fresh = await getVideo(video.id);
    } catch {
      return; // transient: try again on the next tick
    }
    if (selected?.video.id !== video.id) return;
    $('#detail-viewers').textContent = String(fresh.viewers ?? 0);
    const sessionOf = (item) => item.streamingPlaylists?.[0]?.id ?? null;
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
    const listed = myLives.find((item) => item.id === video.id);
    if (listed) {
      listed.state = fresh.state;
      renderMyLives();
    }
    void loadSessions();
  }, FOLLOW_INTERVAL_MS);
}

async function selectLive(ref, { quiet = false } = {}) {
  const seq = ++selectionSeq;
  const detailsError = $('#details-error');
  if (!quiet) setMessage($('#edit-message'), '');
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
  setMessage(detailsError, '');
  selected = { video, live };
  history.replaceState(null, '', `#live=${encodeURIComponent(video.shortUUID)}`);
  renderDetails();
  fillEditForm();
  renderMyLives();
  followSelected(video);
  void showVideoExtras(video);
  await loadSessions();
}

function renderDetails() {
  const { video, live } = selected;
  show($('#no-selection'), false);
  show($('#live-details'), true);
  stateBadge($('#detail-state'), video.state);
  $('#detail-title').textContent = video.name;
  $('#detail-viewers').textContent = String(video.viewers ?? 0);
  $('#detail-privacy').textContent = video.privacy?.label ?? PRIVACY_LABELS[video.privacy?.id] ?? '';
  $('#detail-created').textContent = formatRelative(video.createdAt);
  $('#detail-created').title = formatDate(video.createdAt);
  $('#watch-link').href = video.url || `/w/${video.shortUUID}`;

  const ownerView = Boolean(live.streamKey);
  for (const id of ['#obs-server', '#obs-key']) show($(id).closest('.copy-field'), ownerView);
  show($('#obs-unavailable'), !ownerView);
  $('#obs-server').value = live.rtmpUrl ?? '';
  $('#obs-key').value = live.streamKey ?? '';
  setKeyVisible(false);
  show($('#obs-rtmps-field'), ownerView && Boolean(live.rtmpsUrl));
  $('#obs-rtmps').value = live.rtmpsUrl ?? '';
  show($('#obs-srt-field'), ownerView && Boolean(live.srtUrl));
  $('#obs-srt').value = live.srtUrl ?? '';
  show($('#obs-whip-field'), ownerView && Boolean(live.whipUrl));
  $('#obs-whip').value = live.whipUrl ?? '';
  // The chat overlay is public (it only reads the chat): anyone who may see the live may use it.
  $('#obs-chat-overlay').value = new URL(`/chat-overlay.html?video=${encodeURIComponent(video.uuid)}`, location.origin).href;
}

function setSelectValue(select, value) {
  const text = String(value);
  if (![...select.options].some((option) => option.value === text)) {
    // A value this form cannot set (e.g. a privacy chosen elsewhere): show it, but not as a choice.
    select.append(new Option(PRIVACY_LABELS[value] ?? text, text));
    select.lastElementChild.disabled = true;
  }
  select.value = text;
}

function fillEditForm() {
  const { video, live } = selected;
  $('#edit-name').value = video.name;
  $('#edit-description').value = video.description ?? '';
  setSelectValue($('#edit-privacy'), video.privacy.id);
  setSelectValue($('#edit-latency'), live.latencyMode ?? 1);
  $('#edit-save-replay').checked = Boolean(live.saveReplay);
  setSelectValue($('#edit-replay-privacy'), live.replaySettings?.privacy ?? video.privacy.id);
  $('#edit-permanent').checked = Boolean(live.permanentLive);
  syncEditReplay();
  $('#edit-password').value = '';
  syncPasswordField('edit');
}

$('#edit-form').addEventListener('input', () => setMessage($('#edit-message'), ''));
$('#create-form').addEventListener('input', () => setMessage($('#create-error'), ''));

$('#edit-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!selected) return;
  const { video, live } = selected;
  const message = $('#edit-message');
  const name = $('#edit-name').value.trim();
  if (name.length < 3) {
    setMessage(message, 'The title needs at least 3 characters.');
    return;
  }

  // Send only what changed, to each of the two resources.
  const videoPatch = {};
  if (name !== video.name) videoPatch.name = name;
  const description = $('#edit-description').value;
  if (description !== (video.description ?? '')) videoPatch.description = description;
  const privacy = Number($('#edit-privacy').value);
  if (privacy !== video.privacy.id) videoPatch.privacy = privacy;
  // PUT /videos/{id} sets the passwords before PUT /videos/live/{id} may ask for them (replay privacy 5).
  const password = wantsPassword('edit') ? $('#edit-password').value : '';
  if (wantsPassword('edit') && !password && !hasPasswords()) {
    setMessage(message, 'A password-protected video needs a password.');
    return;
  }
  if (password) videoPatch.videoPasswords = [password];

  const saveReplay = $('#edit-save-replay').checked;
  const replayPrivacy = Number($('#edit-replay-privacy').value);
  const livePatch = {};
  if (saveReplay !== live.saveReplay) livePatch.saveReplay = saveReplay;
  if (saveReplay && replayPrivacy !== live.replaySettings?.privacy) livePatch.replaySettings = { privacy: replayPrivacy };
  if (!saveReplay && live.replaySettings) livePatch.replaySettings = null;
  const permanentLive = $('#edit-permanent').checked;
  if (permanentLive !== live.permanentLive) livePatch.permanentLive = permanentLive;
  const latencyMode = Number($('#edit-latency').value);
  if (latencyMode !== live.latencyMode) livePatch.latencyMode = latencyMode;

  if (!Object.keys(videoPatch).length && !Object.keys(livePatch).length) {
    setMessage(message, 'Nothing to save.', 'info');
    return;
  }
  const submit = $('#edit-submit');
  submit.disabled = true;
  setMessage(message, '');
  try {
    if (Object.keys(videoPatch).length) await updateVideo(video.id, videoPatch);
    if (Object.keys(livePatch).length) await updateLive(video.id, livePatch);
    await selectLive(video.shortUUID, { quiet: true });
    await loadMyLives();
    setMessage(message, 'Saved.', 'ok');
  } catch (error) {
    reportError(error, message);
    // Part of the change may have been applied: show what the server holds now.
    if (selected) void selectLive(selected.video.shortUUID, { quiet: true });
  } finally {
    submit.disabled = false;
  }
});

// ---- OBS panel ---------------------------------------------------------------------------------------

function setKeyVisible(visible) {
  $('#obs-key').type = visible ? 'text' : 'password';
  $('#show-key').textContent = visible ? 'Hide' : 'Show';
  $('#show-key').setAttribute('aria-pressed', String(visible));
}

$('#show-key').addEventListener('click', () => setKeyVisible($('#obs-key').type === 'password'));

// A leaked key is replaced; a stream on air with the old key goes on, but OBS needs the new one next time.
$('#regenerate-key').addEventListener('click', async () => {
  if (!selected) return;
  const message = $('#regenerate-key-message');
  if (!window.confirm('Regenerate the stream key? The current key stops working: update it in OBS before your next stream.')) return;
  const button = $('#regenerate-key');
  button.disabled = true;
  try {
    const { streamKey } = await regenerateStreamKey(selected.video.id);
    selected.live = await getLive(selected.video.id);
    renderDetails();
    $('#obs-key').value = streamKey;
    setMessage(message, 'New stream key ready: paste it in OBS.', 'ok');
  } catch (error) {
    reportError(error, message);
  } finally {
    button.disabled = false;
  }
});

for (const button of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-copy]'))) {
  button.addEventListener('click', async () => {
    const field = /** @type {HTMLInputElement} */ (document.getElementById(button.dataset.copy));
    const outcome = await copyText(field.value, field);
    if (field.id === 'obs-key') setKeyVisible(field.type !== 'password');
    const label = button.dataset.label ?? button.textContent;
    button.dataset.label = label;
    button.textContent = outcome === 'copied' ? 'Copied!' : 'Press Ctrl+C';
    setTimeout(() => { button.textContent = label; }, 1800);
  });
}

// ---- sessions ---------------------------------------------------------------------------------------

function sessionStatus(session) {
  if (session.error) return el('span', { className: 'status status-error', text: LIVE_ERRORS[session.error] ?? `Error ${session.error}` });
  if (!session.endDate) return el('span', { className: 'status status-live', text: 'In progress' });
  return el('span', { className: 'status', text: 'Ended' });
}

async function loadSessions() {
  if (!selected) return;
  const videoId = selected.video.id;
  const errorNode = $('#sessions-error');
  try {
    const { data } = await listLiveSessions(videoId);
    if (selected?.video.id !== videoId) return;
    const rows = [...data].sort((a, b) => Date.parse(b.startDate) - Date.parse(a.startDate)).map((session) => {
      const end = session.endDate ? new Date(session.endDate) : new Date();
      const renditions = [...session.renditions].sort((a, b) => b - a).map((height) => `${height}p`).join(', ');
      return el('tr', { dataset: { sessionId: String(session.id) } },
        el('td', { text: formatDate(session.startDate) }),
        el('td', { text: session.endDate ? formatDate(session.endDate) : '—' }),
        el('td', { text: formatDuration(end.getTime() - Date.parse(session.startDate)) }),
        el('td', { text: renditions || '—' }),
        el('td', { text: session.encoder ?? '—' }),
        el('td', {}, sessionStatus(session)));
    });
    $('#sessions').replaceChildren(...rows);
    show($('#sessions-empty'), rows.length === 0);
    setMessage(errorNode, '');
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) {
      $('#sessions').replaceChildren();
      setMessage(errorNode, 'Only the owner of this live can see its sessions.', 'info');
      return;
    }
    reportError(error, errorNode);
  }
}

$('#refresh-sessions').addEventListener('click', () => void loadSessions());

// ---- start --------------------------------------------------------------------------------------------

window.addEventListener('pagehide', stopFollowing);

void initLayout('Studio');
if (isLoggedIn()) void enterStudio();
else showSignedOut();
