// What to tell the viewer when the chat refuses something (ChatErrorCode in chat/contracts.ts).
// The server's own message is the fallback for codes this page does not know.

/** A ChatRefusal, or the `error` of an ack: `{ code, message, retryAfterSeconds? }`. */
/** @typedef {{ code?: string, message?: string, retryAfterSeconds?: number }} Refusal */

const waitText = (/** @type {number | undefined} */ seconds) => (seconds && seconds > 0 ? ` Wait ${Math.ceil(seconds)} s.` : '');

/** @type {Record<string, (error: Refusal) => string>} */
const TEXTS = {
  slow_mode: (error) => `Slow mode is on: you can send another message in ${Math.ceil(error.retryAfterSeconds ?? 0) || 'a few'} s.`,
  rate_limited: (error) => `You are sending messages too fast.${waitText(error.retryAfterSeconds)}`,
  timed_out: (error) => `You are timed out of this chat.${waitText(error.retryAfterSeconds)}`,
  banned: () => 'You are banned from this chat.',
  forbidden_word: () => 'Your message contains a word that is not allowed here.',
  registered_only: () => 'Only registered users can chat here. Log in to chat.',
  followers_only: () => 'Only followers of this channel can chat here.',
  anonymous_disabled: () => 'Log in to chat.',
  too_long: (error) => error.message || 'Your message is too long.',
  empty: () => 'A message cannot be empty.',
  forbidden: () => 'You are not allowed to do that.',
  unauthorized: () => 'Log in to chat.',
  not_joined: () => 'Not connected to the chat yet.',
  not_found: () => 'This chat does not exist.',
  video_requires_password: () => 'This video is password protected.',
  incorrect_video_password: () => 'Incorrect video password.',
  network: () => 'The chat server did not answer. Try again.',
};

/** `error`: { code, message, retryAfterSeconds? } (a ChatRefusal or a ChatError). */
export function refusalText(/** @type {Refusal | null | undefined} */ error) {
  return (error?.code ? TEXTS[error.code]?.(error) : undefined) ?? error?.message ?? 'Refused.';
}

/** @type {Record<string, string>} */
const MODES = {
  open: '',
  registered: 'Only registered users can chat.',
  followers: 'Only followers of this channel can chat.',
};

/** A short description of the room's rules, e.g. "Slow mode: 30 s. Only registered users can chat." */
export function settingsText(/** @type {Partial<import('../../../api/schemas/chat.ts').ChatRoomSettingsJson> | null | undefined} */ settings) {
  const parts = [];
  if (settings?.slowModeSeconds && settings.slowModeSeconds > 0) parts.push(`Slow mode: one message every ${settings.slowModeSeconds} s.`);
  if (settings?.mode && MODES[settings.mode]) parts.push(MODES[settings.mode]);
  return parts.join(' ');
}
