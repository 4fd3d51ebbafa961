// The chat as an OBS Browser Source (/chat-overlay.html?video=<uuid>&fade=<seconds>): read-only,
// on a transparent page, newest message at the bottom; with `fade`, each message fades out after
// that many seconds. It joins without any identity: it only reads.
import { $, setMessage } from './dom.js';
import { connectChat } from './chat/connection.js';
import { messageView } from './chat/message-view.js';
import { refusalText } from './chat/refusals.js';

/** More than a stream's overlay can ever show: older ones leave the page. */
const MAX_MESSAGES = 50;
/** Matches the opacity transition of .overlay-message.fading in style.css. */
const FADE_OUT_MS = 1000;

const params = new URLSearchParams(location.search);
const videoId = params.get('video');
const fadeSeconds = Math.max(0, Number(params.get('fade')) || 0);
const list = $('#overlay-messages');
const status = $('#overlay-status');
/** @typedef {import('./api.js').ChatMessage} ChatMessage */
/** @type {Map<number, HTMLLIElement>} */
const items = new Map();

function add(/** @type {ChatMessage} */ message) {
  if (items.has(message.id)) return;
  const item = messageView(message);
  item.classList.add('overlay-message');
  items.set(message.id, item);
  list.append(item);
  while (items.size > MAX_MESSAGES) remove([/** @type {number} */ (items.keys().next().value)]);
  if (fadeSeconds > 0) scheduleFade(message.id, item);
}

function scheduleFade(/** @type {number} */ id, /** @type {HTMLLIElement} */ item) {
  setTimeout(() => {
    item.classList.add('fading');
    setTimeout(() => remove([id]), FADE_OUT_MS);
  }, fadeSeconds * 1000);
}

function remove(/** @type {number[]} */ ids) {
  for (const id of ids) {
    items.get(id)?.remove();
    items.delete(id);
  }
}

function replaceAll(/** @type {ChatMessage[]} */ messages) {
  items.clear();
  list.replaceChildren();
  // With fading, history older than the fade delay would only flash: show recent messages only.
  const fresh = fadeSeconds > 0 ? messages.filter((message) => Date.now() - Date.parse(message.createdAt) < fadeSeconds * 1000) : messages;
  for (const message of fresh) add(message);
}

if (!videoId) {
  setMessage(status, 'Add ?video=<uuid> to the address of this page.');
} else {
  const chat = connectChat(videoId, {
    identity: 'reader',
    handlers: {
      onJoined: ({ history }) => { setMessage(status, ''); replaceAll(history ?? []); },
      onJoinFailed: (error) => setMessage(status, refusalText(error)),
      message: add,
      deleted: ({ messageIds }) => remove(messageIds),
      cleared: () => replaceAll([]),
    },
  });
  if (!chat) setMessage(status, 'The chat could not be loaded.');
}
