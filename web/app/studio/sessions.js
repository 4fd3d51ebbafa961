// Studio: the selected live's sessions (one per time the streamer went on air), newest first.
import { ApiError, listLiveSessions } from '../api.js';
import { $, el, formatDate, formatDuration, setMessage, show } from '../dom.js';
import { LIVE_SESSION_ERRORS } from '../enums.js';
import { reportError } from './account.js';
import { studio } from './state.js';

/** @typedef {import('../api.js').LiveSessionList['data'][number]} LiveSession */

function sessionStatus(/** @type {LiveSession} */ session) {
  if (session.error) return el('span', { className: 'status status-error', text: LIVE_SESSION_ERRORS[session.error] ?? `Error ${session.error}` });
  if (!session.endDate) return el('span', { className: 'status status-live', text: 'In progress' });
  return el('span', { className: 'status', text: 'Ended' });
}

function sessionRow(/** @type {LiveSession} */ session) {
  const end = session.endDate ? new Date(session.endDate) : new Date();
  const renditions = [...session.renditions].sort((a, b) => b - a).map((height) => `${height}p`).join(', ');
  return el('tr', { dataset: { sessionId: String(session.id) } },
    el('td', { text: formatDate(session.startDate) }),
    el('td', { text: session.endDate ? formatDate(session.endDate) : '—' }),
    el('td', { text: formatDuration(end.getTime() - Date.parse(session.startDate)) }),
    el('td', { text: renditions || '—' }),
    el('td', { text: session.encoder ?? '—' }),
    el('td', {}, sessionStatus(session)));
}

export async function loadSessions() {
  if (!studio.selected) return;
  const videoId = studio.selected.video.id;
  const errorNode = $('#sessions-error');
  try {
    const { data } = await listLiveSessions(videoId);
    if (studio.selected?.video.id !== videoId) return;
    const rows = [...data].sort((a, b) => Date.parse(b.startDate) - Date.parse(a.startDate)).map(sessionRow);
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

export function initSessions() {
  $('#refresh-sessions').addEventListener('click', () => void loadSessions());
}
