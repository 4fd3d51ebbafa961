// Studio: "My lives", the signed-in user's lives (every privacy, newest first), and the form that
// opens a live by id or watch URL (an unlisted live is not listed to its viewers).
import { listMyVideos } from '../api.js';
import { $, el, formatRelative, setMessage, show } from '../dom.js';
import { VideoState } from '../enums.js';
import { reportError } from './account.js';
import { studio } from './state.js';

/** @type {Record<number, string>} */
const BADGE_CLASSES = { [VideoState.PUBLISHED]: 'badge-live', [VideoState.WAITING_FOR_LIVE]: 'badge-waiting', [VideoState.LIVE_ENDED]: 'badge-ended' };

/** @type {(ref: string) => void} */
let onSelect = () => {};

/** A live's state as a badge: LIVE while streaming, else the state's label. */
export function stateBadge(/** @type {HTMLElement} */ node, /** @type {{ id: number, label: string } | undefined} */ state) {
  node.textContent = state?.id === VideoState.PUBLISHED ? 'LIVE' : state?.label ?? '';
  node.className = `badge ${(state && BADGE_CLASSES[state.id]) ?? ''}`;
}

export function renderMyLives() {
  const list = $('#my-lives');
  list.replaceChildren(...studio.myLives.map((video) => {
    const badge = el('span');
    stateBadge(badge, video.state);
    const button = el('button', {
      type: 'button',
      className: 'live-item',
      dataset: { videoId: String(video.id), shortUuid: video.shortUUID },
      on: { click: () => onSelect(video.shortUUID) },
    },
    el('span', { className: 'live-item-name', text: video.name }),
    el('span', { className: 'live-item-meta' }, badge, el('span', { className: 'muted small', text: formatRelative(video.createdAt) })));
    if (studio.selected?.video.id === video.id) button.setAttribute('aria-current', 'true');
    return el('li', {}, button);
  }));
  list.setAttribute('aria-busy', 'false');
  show($('#my-lives-empty'), studio.myLives.length === 0);
}

export async function loadMyLives() {
  try {
    // Every privacy of the user's own lives, newest first.
    const { data } = await listMyVideos({ count: 100, isLive: true, sort: '-createdAt' });
    studio.myLives = data;
    const selected = studio.selected;
    if (selected && !data.some((video) => video.id === selected.video.id)) data.unshift(selected.video);
    setMessage($('#my-lives-error'), '');
  } catch (error) {
    reportError(error, $('#my-lives-error'));
  }
  renderMyLives();
}

/** Accepts an id, a uuid, a short uuid or a watch URL (…/w/<id>). */
function refOf(/** @type {string} */ input) {
  const text = input.trim();
  const match = /\/w\/([^/?#]+)/.exec(text);
  return match ? decodeURIComponent(match[1]) : text;
}

/** Wires the list's buttons; `select` opens a live (by any of its ids). */
export function initLiveList(/** @type {(ref: string) => void} */ select) {
  onSelect = select;
  $('#refresh-lives').addEventListener('click', () => void loadMyLives());
  $('#open-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const ref = refOf($('#open-ref', HTMLInputElement).value);
    if (ref) select(ref);
  });
}
