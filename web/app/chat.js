// The live chat panel of the watch page: joins the video's room over socket.io (chat/connection.js),
// shows the history then new messages, sends with Enter, and says in a status line why something was
// refused. Moderators get per-message actions and a tool bar (chat/moderation.js).
// Message text only ever goes into text nodes (chat/linkify.js): it is never parsed as HTML.
import { el, setMessage, show } from './dom.js';
import { connectChat } from './chat/connection.js';
import { messageView } from './chat/message-view.js';
import { messageActions, moderationToolbar } from './chat/moderation.js';
import { refusalText, settingsText } from './chat/refusals.js';

/** Older messages leave the page beyond this many; a long live must not grow the DOM forever. */
const MAX_MESSAGES = 300;
/** "At the bottom" with this much slack, so that a viewer reading older messages is not scrolled away. */
const STICKY_SCROLL_PX = 40;

/** @typedef {import('./api.js').ChatMessage} ChatMessage */
/** @typedef {import('./chat/connection.js').JoinAck} JoinAck */
/** @typedef {import('./chat/connection.js').ChatConnection} ChatConnection */
/** @typedef {import('./chat/connection.js').ChatRefusal} ChatRefusal */
/** @typedef {import('../../api/schemas/chat.ts').ChatRoomSettingsJson} ChatRoomSettings */
/**
 * @typedef {{ xmpp: HTMLParagraphElement, xmppLink: HTMLAnchorElement, toolbarSlot: HTMLDivElement, rules: HTMLParagraphElement,
 *   list: HTMLOListElement, status: HTMLParagraphElement, input: HTMLInputElement, send: HTMLButtonElement }} ChatUi
 */
/** @typedef {{ action: string, until?: string | null, reason?: string | null }} ModerationNotice sent to the one moderated */

export class ChatPanel {
  /** @type {HTMLElement} */
  #root;
  /** @type {{ id: number, uuid?: string }} */
  #video;
  /** @type {string | undefined} */
  #password;
  /** @type {ChatConnection | null} */
  #chat = null;
  /** @type {JoinAck['me'] | null} */
  #me = null;
  /** @type {Map<number, HTMLLIElement>} */
  #items = new Map();
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #unlockTimer;
  /** @type {ChatUi} */
  #ui;
  /** @type {ReturnType<typeof moderationToolbar> | null} */
  #toolbar = null;

  /**
   * `root`: the panel element (#chat); `password`: the one the viewer gave for a protected video.
   * @param {HTMLElement} root
   * @param {{ id: number, uuid?: string }} video
   * @param {{ password?: string }} [options]
   */
  constructor(root, video, { password } = {}) {
    this.#root = root;
    this.#video = video;
    this.#password = password;
    this.#ui = this.#build();
    // data-state: connecting | joined | refused (the join was refused: not a live, wrong password...).
    this.#root.dataset.state = 'connecting';
    this.#status('Connecting to the chat…', 'info');
  }

  start() {
    show(this.#root, true);
    this.#chat = connectChat(this.#video.uuid ?? this.#video.id, {
      password: this.#password,
      handlers: {
        onJoined: (joined) => this.#onJoined(joined),
        onJoinFailed: (error) => {
          this.#root.dataset.state = 'refused';
          this.#status(refusalText(error));
        },
        onDisconnect: () => {
          this.#root.dataset.state = 'connecting';
          this.#status('Connection to the chat lost, reconnecting…', 'info');
        },
        message: (message) => this.#add(message),
        deleted: ({ messageIds }) => this.#remove(messageIds),
        cleared: () => this.#clear('The chat was cleared by a moderator.'),
        settings: ({ settings }) => this.#applySettings(settings),
        moderated: (event) => this.#onModerated(event),
      },
    });
    if (!this.#chat) this.#status('The chat could not be loaded.');
    return this;
  }

  close() {
    clearTimeout(this.#unlockTimer);
    this.#chat?.close();
  }

  // ---- layout ------------------------------------------------------------------------------------

  /** @returns {ChatUi} */
  #build() {
    // No maxLength: the server's limit is configurable, and its too_long refusal says what it is.
    const input = el('input', { type: 'text', className: 'chat-input', autocomplete: 'off',
      placeholder: 'Say something', attrs: { 'aria-label': 'Chat message' } });
    const send = el('button', { type: 'submit', className: 'button primary chat-send', text: 'Send' });
    const form = el('form', { className: 'chat-form', on: { submit: (event) => { event.preventDefault(); void this.#send(); } } }, input, send);
    const xmppLink = el('a', { className: 'chat-xmpp-address', title: 'Join this chat from an XMPP client' });
    const ui = {
      xmpp: el('p', { className: 'chat-xmpp', hidden: true }, 'XMPP: ', xmppLink),
      xmppLink,
      toolbarSlot: el('div', { className: 'chat-toolbar-slot' }),
      rules: el('p', { className: 'chat-rules', hidden: true }),
      list: el('ol', { className: 'chat-messages', attrs: { 'aria-live': 'polite' } }),
      status: el('p', { className: 'chat-status', hidden: true, attrs: { role: 'status' } }),
      input,
      send,
    };
    this.#root.replaceChildren(
      el('header', { className: 'chat-header' }, el('h2', { className: 'chat-title', text: 'Live chat' })),
      ui.xmpp, ui.toolbarSlot, ui.rules, ui.list, ui.status, form);
    return ui;
  }

  #status(/** @type {string} */ text, kind = 'error') {
    setMessage(this.#ui.status, text, kind);
  }

  // ---- room --------------------------------------------------------------------------------------

  #onJoined(/** @type {JoinAck} */ { room, me, history }) {
    this.#me = me;
    this.#root.dataset.state = 'joined';
    this.#showXmppAddress(room.xmppAddress);
    this.#mountToolbar(me.moderator);
    this.#applySettings(room.settings);
    // A (re)join brings the room as it is now: deletions and clears missed while away are in it.
    this.#clear();
    for (const message of history) this.#add(message);
    this.#status('');
    if (me.canPost) this.#unlock();
    else this.#lock(refusalText({ code: me.code, message: me.reason, retryAfterSeconds: me.retryAfterSeconds }));
    // A timeout found on joining ends by itself: unlock when it does.
    if (!me.canPost && me.retryAfterSeconds) {
      clearTimeout(this.#unlockTimer);
      this.#unlockTimer = setTimeout(() => this.#unlock(), me.retryAfterSeconds * 1000);
    }
  }

  /** `xmpp:<room>@<muc>?join`: a link an XMPP client opens; shown as the bare room address. */
  #showXmppAddress(/** @type {string | null} */ address) {
    const { xmpp, xmppLink } = this.#ui;
    const valid = typeof address === 'string' && address.startsWith('xmpp:');
    show(xmpp, valid);
    if (!valid) return;
    xmppLink.href = address;
    xmppLink.textContent = address.slice('xmpp:'.length).replace(/\?.*$/, '');
  }

  #mountToolbar(/** @type {boolean} */ moderator) {
    if (!moderator || !this.#chat) {
      this.#toolbar = null;
      this.#ui.toolbarSlot.replaceChildren();
      return;
    }
    this.#toolbar ??= moderationToolbar({ chat: this.#chat, onRefused: (error) => this.#status(refusalText(/** @type {ChatRefusal} */ (error))) });
    this.#ui.toolbarSlot.replaceChildren(this.#toolbar.root);
  }

  #applySettings(/** @type {ChatRoomSettings} */ settings) {
    const text = settingsText(settings);
    this.#ui.rules.textContent = text;
    show(this.#ui.rules, Boolean(text));
    this.#toolbar?.update(settings);
  }

  #onModerated(/** @type {ModerationNotice} */ { action, until, reason }) {
    const why = reason ? ` Reason: ${reason}` : '';
    if (action === 'ban') {
      this.#lock(`You are banned from this chat.${why}`);
      return;
    }
    const untilTime = until ? new Date(until) : null;
    const when = untilTime ? ` until ${untilTime.toLocaleTimeString()}` : '';
    this.#lock(`You are timed out of this chat${when}.${why}`);
    if (untilTime) {
      clearTimeout(this.#unlockTimer);
      this.#unlockTimer = setTimeout(() => this.#unlock(), Math.max(0, untilTime.getTime() - Date.now()));
    }
  }

  /** Disables the composer and says why (banned, timed out, registered-only room...). */
  #lock(/** @type {string} */ text) {
    this.#ui.input.disabled = true;
    this.#ui.send.disabled = true;
    this.#status(text);
  }

  #unlock() {
    clearTimeout(this.#unlockTimer);
    const wasLocked = this.#ui.input.disabled;
    this.#ui.input.disabled = false;
    this.#ui.send.disabled = false;
    if (wasLocked && this.#ui.status.dataset.kind === 'error') this.#status('');
  }

  // ---- messages ----------------------------------------------------------------------------------

  async #send() {
    const { input, send } = this.#ui;
    const text = input.value.trim();
    if (!text || send.disabled) return;
    if (!this.#chat) return;
    send.disabled = true;
    try {
      const { message } = await this.#chat.request('send', { text });
      if (input.value.trim() === text) input.value = ''; // not what was typed meanwhile
      this.#status('');
      if (message) this.#add(message);
    } catch (error) {
      // The text stays in the box, so that it can be sent once the wait is over.
      const refusal = /** @type {ChatRefusal} */ (error);
      this.#status(refusalText(refusal));
      if (refusal.code === 'banned') this.#lock(refusalText(refusal));
    } finally {
      if (!input.disabled) send.disabled = false;
      input.focus();
    }
  }

  #isMine(/** @type {ChatMessage} */ message) {
    return Boolean(this.#me) && message.author.source === 'web' && message.author.nick === this.#me?.nick;
  }

  #add(/** @type {ChatMessage} */ message) {
    if (this.#items.has(message.id) || !this.#chat) return; // the ack and the broadcast both bring our own message
    const list = this.#ui.list;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < STICKY_SCROLL_PX;
    const item = messageView(message, {
      actions: messageActions(message, {
        chat: this.#chat,
        moderator: Boolean(this.#me?.moderator),
        mine: this.#isMine(message),
        onRefused: (error) => this.#status(refusalText(/** @type {ChatRefusal} */ (error))),
      }),
    });
    if (this.#isMine(message)) item.classList.add('chat-message-mine');
    this.#items.set(message.id, item);
    list.append(item);
    while (this.#items.size > MAX_MESSAGES) this.#remove([/** @type {number} */ (this.#items.keys().next().value)]);
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  #remove(/** @type {number[]} */ ids) {
    for (const id of ids) {
      this.#items.get(id)?.remove();
      this.#items.delete(id);
    }
  }

  #clear(notice = '') {
    this.#items.clear();
    this.#ui.list.replaceChildren();
    if (notice) this.#ui.list.append(el('li', { className: 'chat-notice', text: notice }));
  }
}
