// One chat message as a list item: the nick in the author's colour, badges (moderator, XMPP), the
// text as text nodes (links only for http(s) URLs), and optional action buttons.
import { el, formatDate } from '../dom.js';
import { linkify } from './linkify.js';

/** @typedef {{ label: string, title: string, run: () => Promise<unknown> }} MessageAction */

/**
 * `actions`: buttons shown with the message (moderation, delete my own).
 * @param {import('../api.js').ChatMessage} message
 * @param {{ actions?: MessageAction[] }} [options]
 */
export function messageView(message, { actions = [] } = {}) {
  const { author } = message;
  const nick = el('span', { className: 'chat-nick', text: author.nick });
  // The colour comes from the server as a CSS colour; setting a property cannot inject anything else.
  if (author.color) nick.style.color = author.color;
  return el('li', {
    className: 'chat-message',
    dataset: { messageId: String(message.id), source: author.source },
    title: formatDate(message.createdAt),
  },
  author.moderator ? el('span', { className: 'chat-badge chat-badge-mod', text: 'MOD', title: 'Moderator' }) : null,
  author.source === 'xmpp' ? el('span', { className: 'chat-badge chat-badge-xmpp', text: 'XMPP', title: 'Chatting from an XMPP client' }) : null,
  nick,
  el('span', { className: 'chat-separator', text: ': ' }),
  el('span', { className: 'chat-text' }, linkify(message.text)),
  actions.length ? el('span', { className: 'chat-actions' }, actions.map(actionButton)) : null);
}

function actionButton(/** @type {MessageAction} */ { label, title, run }) {
  return el('button', {
    type: 'button',
    className: 'chat-action',
    text: label,
    title,
    on: { click: async (event) => {
      const button = /** @type {HTMLButtonElement} */ (event.currentTarget);
      button.disabled = true; // one click, one request
      try { await run(); } finally { button.disabled = false; }
    } },
  });
}
