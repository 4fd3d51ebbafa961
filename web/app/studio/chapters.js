// Studio: the chapters of the selected video (list, add/remove rows, save) and the progress of its
// storyboard. Chapters apply to on-demand videos: a live gets them once its replay is published.
import { ApiError, request } from '../api.js';
import { $, el, setMessage, show } from '../dom.js';

/** @typedef {import('../api.js').Video} Video */
/** @typedef {import('../../../api/schemas/chapters.ts').ChapterListJson} ChapterList */
/** @typedef {ChapterList['chapters'][number]} Chapter */
/** @typedef {import('../../../api/schemas/chapters.ts').StoryboardListJson} StoryboardList */

const STORYBOARD_POLL_MS = 2000;
/** @type {Video | null} the video shown */
let current = null;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let pollTimer;

/** "1:02:03", "2:05" or "65" → seconds; NaN when unreadable. */
export function parseTimecode(/** @type {string} */ text) {
  const parts = String(text).trim().split(':');
  if (parts.length > 3 || parts.some((part) => !/^\d+$/.test(part))) return Number.NaN;
  return parts.reduce((total, part) => total * 60 + Number(part), 0);
}

function formatTimecode(/** @type {number} */ seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor(seconds / 60) % 60;
  const s = String(seconds % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${String(m).padStart(2, '0')}:${s}`;
}

function chapterRow(/** @type {Chapter} */ chapter = { timecode: 0, title: '' }) {
  /** @type {HTMLDivElement} */
  const row = el('div', { className: 'chapter-row' },
    el('input', { className: 'chapter-time', value: formatTimecode(chapter.timecode), attrs: { 'aria-label': 'Time (mm:ss)', placeholder: '00:00' } }),
    el('input', { className: 'chapter-title', value: chapter.title, maxLength: 100, attrs: { 'aria-label': 'Chapter title', placeholder: 'Chapter title' } }),
    el('button', { type: 'button', className: 'button ghost small', text: 'Remove', on: { click: () => row.remove() } }));
  return row;
}

function readRows() {
  return [...$('#chapter-rows').querySelectorAll('.chapter-row')].map((row) => ({
    timecode: parseTimecode(/** @type {HTMLInputElement} */ (row.querySelector('.chapter-time')).value),
    title: /** @type {HTMLInputElement} */ (row.querySelector('.chapter-title')).value.trim(),
  }));
}

/** Shows where the storyboard stands; true while it is still being made. */
function renderStoryboard(/** @type {StoryboardList | null} */ body) {
  const status = body?.status;
  const node = $('#storyboard-status');
  const bar = $('#storyboard-progress', HTMLProgressElement);
  if (body?.storyboards?.length && (!status || status.state === 'done')) {
    const board = body.storyboards[0];
    node.textContent = `Storyboard ready: ${Math.round(board.totalWidth / board.spriteWidth) * Math.round(board.totalHeight / board.spriteHeight)} frames, one every ${board.spriteDuration} s.`;
    show(bar, false);
    return false;
  }
  if (!status) {
    node.textContent = current?.isLive ? 'The storyboard is made once the replay is published.' : 'No storyboard.';
    show(bar, false);
    return false;
  }
  if (status.state === 'failed') {
    node.textContent = `Storyboard failed: ${status.error ?? 'unknown error'}`;
    show(bar, false);
    return false;
  }
  node.textContent = status.state === 'pending' ? 'Storyboard queued…' : `Making the storyboard… ${Math.round(status.progress * 100)}%`;
  bar.value = status.progress;
  show(bar, true);
  return true;
}

async function pollStoryboard(/** @type {number} */ videoId) {
  clearTimeout(pollTimer);
  let body;
  try {
    body = await request(`/videos/${videoId}/storyboards`);
  } catch {
    body = null;
  }
  if (current?.id !== videoId) return;
  if (renderStoryboard(body)) pollTimer = setTimeout(() => void pollStoryboard(videoId), STORYBOARD_POLL_MS);
}

/** Shows the chapters and storyboard of `video` (the API's video object). */
export async function showVideoExtras(/** @type {Video} */ video) {
  current = video;
  const message = $('#chapters-message');
  setMessage(message, '');
  show($('#chapters-live-note'), video.isLive);
  $('#chapters-save', HTMLButtonElement).disabled = video.isLive;
  $('#chapter-add', HTMLButtonElement).disabled = video.isLive;
  void pollStoryboard(video.id);
  try {
    /** @type {ChapterList} */
    const { chapters } = await request(`/videos/${video.id}/chapters`);
    if (current?.id !== video.id) return;
    $('#chapter-rows').replaceChildren(...chapters.map((chapter) => chapterRow(chapter)));
  } catch (error) {
    setMessage(message, error instanceof ApiError ? error.detail : String(error));
  }
}

$('#chapter-add', HTMLButtonElement).addEventListener('click', () => {
  const rows = readRows();
  const last = rows.length ? Math.max(...rows.map((row) => row.timecode).filter(Number.isFinite), 0) : -1;
  $('#chapter-rows').append(chapterRow({ timecode: last + 1, title: '' }));
});

$('#chapters-save', HTMLButtonElement).addEventListener('click', async () => {
  if (!current) return;
  const message = $('#chapters-message');
  const chapters = readRows();
  if (chapters.some((chapter) => !Number.isFinite(chapter.timecode))) return setMessage(message, 'Write times as mm:ss or h:mm:ss.');
  if (chapters.some((chapter) => !chapter.title)) return setMessage(message, 'Every chapter needs a title.');
  if (new Set(chapters.map((chapter) => chapter.timecode)).size !== chapters.length) return setMessage(message, 'Two chapters start at the same time.');
  const button = $('#chapters-save', HTMLButtonElement);
  button.disabled = true;
  try {
    await request(`/videos/${current.id}/chapters`, { method: 'PUT', json: { chapters } });
    setMessage(message, 'Chapters saved.', 'ok');
    await showVideoExtras(current);
    setMessage(message, 'Chapters saved.', 'ok');
  } catch (error) {
    setMessage(message, error instanceof ApiError ? error.detail : String(error));
  } finally {
    button.disabled = Boolean(current?.isLive);
  }
});
