// The chat replay of a video that was a live: the messages said during the live, shown in step with
// playback. A message is visible once the playhead has passed its offsetSeconds; seeking back hides
// the later ones again. The panel stays hidden when the live had no chat.
import { getChatReplay } from '../api.js';
import { el, show } from '../dom.js';
import { messageView } from './message-view.js';

/** @typedef {import('../api.js').ChatMessage} ChatMessage */
/** @typedef {ChatMessage & { offsetSeconds: number }} ReplayedMessage */

/** A long replay comes in pages (the server caps one answer); this bounds the requests. */
const MAX_PAGES = 20;

export class ChatReplay {
  /** @type {HTMLElement} */
  #root;
  /** @type {HTMLMediaElement} */
  #media;
  /** @type {HTMLOListElement} */
  #list;
  /** @type {Array<{ offset: number, item: HTMLLIElement }>} ordered by offset (the server's order) */
  #entries = [];
  /** How many entries, from the start, are shown now. */
  #shown = 0;

  /**
   * `root`: the panel element (#chat); `media`: the <video> being played.
   * @param {HTMLElement} root
   * @param {HTMLMediaElement} media
   */
  constructor(root, media) {
    this.#root = root;
    this.#media = media;
    this.#list = el('ol', { className: 'chat-messages chat-replay-messages', attrs: { 'aria-live': 'off' } });
  }

  /**
   * @param {{ id: number, uuid?: string }} video
   * @param {{ password?: string }} [options]
   */
  async load(video, { password } = {}) {
    let messages;
    try {
      messages = await allMessages(video.uuid ?? video.id, password);
    } catch (error) {
      console.warn('could not load the chat replay', error);
      return this;
    }
    if (messages.length === 0) return this;
    this.#entries = messages.map((message) => ({ offset: message.offsetSeconds, item: messageView(message) }));
    for (const entry of this.#entries) entry.item.hidden = true;
    this.#list.append(...this.#entries.map((entry) => entry.item));
    this.#root.replaceChildren(
      el('header', { className: 'chat-header' }, el('h2', { className: 'chat-title', text: 'Chat replay' })),
      this.#list);
    this.#root.classList.add('chat-replay');
    show(this.#root, true);
    // timeupdate fires a few times a second while playing; seeking/seeked answer a jump at once.
    for (const type of ['timeupdate', 'seeking', 'seeked', 'loadedmetadata', 'emptied']) {
      this.#media.addEventListener(type, () => this.#sync());
    }
    this.#sync();
    return this;
  }

  #sync() {
    const time = this.#media.currentTime || 0;
    const target = this.#countUpTo(time);
    if (target === this.#shown) return;
    const list = this.#list;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    const [from, to, hidden] = target > this.#shown ? [this.#shown, target, false] : [target, this.#shown, true];
    for (let index = from; index < to; index++) this.#entries[index].item.hidden = hidden;
    this.#shown = target;
    if (atBottom || hidden) list.scrollTop = list.scrollHeight;
  }

  /** The number of messages said at or before `time` (binary search: the entries are ordered). */
  #countUpTo(/** @type {number} */ time) {
    let low = 0;
    let high = this.#entries.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.#entries[middle].offset <= time) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/** Every message, paged by offset: a page starts at the previous one's last offset, so some come twice. */
/**
 * @param {number | string} videoId
 * @param {string | undefined} password
 * @returns {Promise<ReplayedMessage[]>}
 */
async function allMessages(videoId, password) {
  /** @type {Map<number, ReplayedMessage>} */
  const byId = new Map();
  /** @type {number | undefined} */
  let from;
  for (let page = 0; page < MAX_PAGES; page++) {
    /** @type {{ total?: number, data?: ChatMessage[] }} */
    const answer = await getChatReplay(videoId, { password, from }) ?? {};
    const { total = 0, data = [] } = answer;
    const before = byId.size;
    for (const message of data) {
      if (typeof message.offsetSeconds === 'number') byId.set(message.id, /** @type {ReplayedMessage} */ (message));
    }
    // `total` counts the messages from `from` on: a page that holds them all is the last one.
    const last = data.at(-1);
    if (data.length >= total || byId.size === before || typeof last?.offsetSeconds !== 'number') break;
    from = last.offsetSeconds;
  }
  return [...byId.values()].sort((a, b) => a.offsetSeconds - b.offsetSeconds || a.id - b.id);
}
