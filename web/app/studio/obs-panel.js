// Studio: the selected live's OBS settings: the server URLs (RTMP, RTMPS, SRT, WHIP), the stream key
// (hidden until shown, and regenerated when it leaked), the chat overlay's URL, and their Copy buttons.
import { getLive, regenerateStreamKey } from '../api.js';
import { copyText } from '../clipboard.js';
import { $, setMessage, show } from '../dom.js';
import { reportError } from './account.js';
import { studio } from './state.js';

/** @typedef {import('../api.js').Video} Video */
/** @typedef {import('../api.js').Live} Live */

/** @param {string} selector @param {string | null | undefined} value */
const setValue = (selector, value) => { $(selector, HTMLInputElement).value = value ?? ''; };

/** Only the owner (and admins) get the stream key and the server URLs. */
export function renderObsPanel(/** @type {Video} */ video, /** @type {Live} */ live) {
  const ownerView = Boolean(live.streamKey);
  for (const id of ['#obs-server', '#obs-key']) show(/** @type {HTMLElement | null} */ ($(id).closest('.copy-field')), ownerView);
  show($('#obs-unavailable'), !ownerView);
  setValue('#obs-server', live.rtmpUrl);
  setValue('#obs-key', live.streamKey);
  setKeyVisible(false);
  show($('#obs-rtmps-field'), ownerView && Boolean(live.rtmpsUrl));
  setValue('#obs-rtmps', live.rtmpsUrl);
  show($('#obs-srt-field'), ownerView && Boolean(live.srtUrl));
  setValue('#obs-srt', live.srtUrl);
  show($('#obs-whip-field'), ownerView && Boolean(live.whipUrl));
  setValue('#obs-whip', live.whipUrl);
  // The chat overlay is public (it only reads the chat): anyone who may see the live may use it.
  setValue('#obs-chat-overlay', new URL(`/chat-overlay.html?video=${encodeURIComponent(video.uuid)}`, location.origin).href);
}

function setKeyVisible(/** @type {boolean} */ visible) {
  $('#obs-key', HTMLInputElement).type = visible ? 'text' : 'password';
  $('#show-key').textContent = visible ? 'Hide' : 'Show';
  $('#show-key').setAttribute('aria-pressed', String(visible));
}

export function initObsPanel() {
  $('#show-key').addEventListener('click', () => setKeyVisible($('#obs-key', HTMLInputElement).type === 'password'));

  // A leaked key is replaced; a stream on air with the old key goes on, but OBS needs the new one next time.
  $('#regenerate-key').addEventListener('click', async () => {
    const selected = studio.selected;
    if (!selected) return;
    const message = $('#regenerate-key-message');
    if (!window.confirm('Regenerate the stream key? The current key stops working: update it in OBS before your next stream.')) return;
    const button = $('#regenerate-key', HTMLButtonElement);
    button.disabled = true;
    try {
      const { streamKey } = await regenerateStreamKey(selected.video.id);
      selected.live = await getLive(selected.video.id);
      renderObsPanel(selected.video, selected.live);
      setValue('#obs-key', streamKey);
      setMessage(message, 'New stream key ready: paste it in OBS.', 'ok');
    } catch (error) {
      reportError(error, message);
    } finally {
      button.disabled = false;
    }
  });

  for (const button of document.querySelectorAll('[data-copy]')) {
    if (!(button instanceof HTMLElement)) continue;
    button.addEventListener('click', async () => {
      const field = /** @type {HTMLInputElement} */ (document.getElementById(button.dataset.copy ?? ''));
      const outcome = await copyText(field.value, field);
      if (field.id === 'obs-key') setKeyVisible(field.type !== 'password');
      const label = button.dataset.label ?? button.textContent ?? '';
      button.dataset.label = label;
      button.textContent = outcome === 'copied' ? 'Copied!' : 'Press Ctrl+C';
      setTimeout(() => { button.textContent = label; }, 1800);
    });
  }
}
