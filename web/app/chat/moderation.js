// Moderation on the chat panel, for the live's owner, the channel's chat moderators and admins:
// per-message actions (delete, time out, ban) and the room tool bar (clear, slow mode, who may post).
// Everything goes through the socket events `delete`, `moderate` and `settings` (docs/CHAT.md).
import { el } from '../dom.js';

/** @typedef {import('./connection.js').ChatConnection} ChatConnection */
/** @typedef {import('./message-view.js').MessageAction} MessageAction */
/** @typedef {import('../../../api/schemas/chat.ts').ChatRoomSettingsJson} ChatRoomSettings */

export const TIMEOUT_SECONDS = 300;
const SLOW_MODE_CHOICES = [0, 5, 10, 30, 60, 120, 300];
const MODE_CHOICES = [['open', 'Everyone'], ['registered', 'Registered'], ['followers', 'Followers']];

/**
 * The buttons of one message. `chat.request(event, payload)` rejects with a ChatRefusal, which
 * `onRefused` shows. `mine`: the viewer's own message, which they may delete (not ban themselves).
 * @param {import('../api.js').ChatMessage} message
 * @param {{ chat: ChatConnection, moderator: boolean, mine: boolean, onRefused: (error: unknown) => void }} context
 * @returns {MessageAction[]}
 */
export function messageActions(message, { chat, moderator, mine, onRefused }) {
  /** @param {string} event @param {Record<string, unknown>} payload */
  const act = (event, payload) => chat.request(event, payload).catch(onRefused);
  /** @type {MessageAction[]} */
  const actions = [];
  if (moderator || mine) {
    actions.push({ label: 'Delete', title: 'Delete this message', run: () => act('delete', { messageId: message.id }) });
  }
  // The server refuses to ban or time out a moderator: no buttons that can only fail.
  if (moderator && !mine && !message.author.moderator) {
    actions.push({ label: 'Timeout', title: `Time out ${message.author.nick} for ${TIMEOUT_SECONDS / 60} minutes`,
      run: () => act('moderate', { action: 'timeout', messageId: message.id, durationSeconds: TIMEOUT_SECONDS }) });
    actions.push({ label: 'Ban', title: `Ban ${message.author.nick} from this chat`,
      run: () => act('moderate', { action: 'ban', messageId: message.id }) });
  }
  return actions;
}

/**
 * The room tool bar; `update(settings)` follows changes made by any moderator.
 * @param {{ chat: ChatConnection, onRefused: (error: unknown) => void }} context
 */
export function moderationToolbar({ chat, onRefused }) {
  const slowMode = el('select', { className: 'chat-slow-mode', attrs: { 'aria-label': 'Slow mode' } });
  const mode = el('select', { className: 'chat-mode', attrs: { 'aria-label': 'Who may chat' } },
    MODE_CHOICES.map(([value, label]) => new Option(label, value)));
  /** @type {ChatRoomSettings | null} */
  let current = null;

  const change = async (/** @type {Partial<ChatRoomSettings>} */ patch) => {
    try {
      const { settings } = await chat.request('settings', patch);
      update(settings);
    } catch (error) {
      update(current); // put the controls back to what the room really has
      onRefused(error);
    }
  };
  slowMode.addEventListener('change', () => void change({ slowModeSeconds: Number(slowMode.value) }));
  mode.addEventListener('change', () => void change({ mode: /** @type {ChatRoomSettings['mode']} */ (mode.value) }));
  const clearButton = el('button', { type: 'button', className: 'button ghost small chat-clear', text: 'Clear chat', on: { click: () => {
    if (confirm('Remove every message of this chat for everyone?')) void chat.request('moderate', { action: 'clear' }).catch(onRefused);
  } } });

  function update(/** @type {ChatRoomSettings | null} */ settings) {
    if (!settings) return;
    current = settings;
    const choices = [...new Set([...SLOW_MODE_CHOICES, settings.slowModeSeconds])].sort((a, b) => a - b);
    slowMode.replaceChildren(...choices.map((seconds) => new Option(seconds ? `Slow: ${seconds} s` : 'Slow: off', String(seconds))));
    slowMode.value = String(settings.slowModeSeconds);
    mode.value = settings.mode;
  }

  const root = el('div', { className: 'chat-toolbar', attrs: { role: 'toolbar', 'aria-label': 'Chat moderation' } }, slowMode, mode, clearButton);
  return { root, update };
}
