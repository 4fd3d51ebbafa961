// PeerTube's numbered values that the pages send or show, with the labels users see: one list each,
// so that a <select>, a badge and a comparison cannot disagree. The server's own lists are in api/.

/** Video privacy ids. */
export const Privacy = Object.freeze({ PUBLIC: 1, UNLISTED: 2, PRIVATE: 3, INTERNAL: 4, PASSWORD_PROTECTED: 5 });

/** @type {Readonly<Record<number, string>>} */
export const PRIVACY_LABELS = Object.freeze({
  [Privacy.PUBLIC]: 'Public',
  [Privacy.UNLISTED]: 'Unlisted',
  [Privacy.PRIVATE]: 'Private',
  [Privacy.INTERNAL]: 'Internal',
  [Privacy.PASSWORD_PROTECTED]: 'Password protected',
});

/** The privacies that need more than the page's address to watch: media URLs then carry a file token. */
/** @type {readonly number[]} */
export const PROTECTED_PRIVACIES = Object.freeze([Privacy.PRIVATE, Privacy.INTERNAL, Privacy.PASSWORD_PROTECTED]);

/** A live's latency mode: it tunes the viewer's player (web/app/player.js). */
export const LatencyMode = Object.freeze({ DEFAULT: 1, HIGH: 2, SMALL: 3 });

/** @type {Readonly<Record<number, string>>} */
export const LATENCY_MODE_LABELS = Object.freeze({
  [LatencyMode.DEFAULT]: 'Default',
  [LatencyMode.HIGH]: 'High latency',
  [LatencyMode.SMALL]: 'Small latency',
});

/** The video states the pages act on (the server sends each with its label). */
export const VideoState = Object.freeze({
  PUBLISHED: 1, TO_TRANSCODE: 2, WAITING_FOR_LIVE: 4, LIVE_ENDED: 5, TRANSCODING_FAILED: 7,
});

/** Why a live session ended in error (a session's `error`). */
/** @type {Readonly<Record<number, string>>} */
export const LIVE_SESSION_ERRORS = Object.freeze({
  1: 'Bad stream health', 2: 'Maximum duration exceeded', 3: 'Quota exceeded', 4: 'Transcoding failed',
  5: 'Blocked', 6: 'Runner job error', 7: 'Runner job cancelled',
});

/**
 * Fills a <select> with one option per entry of `labels` (id as the value), in id order.
 * `only`: the ids to offer when a form offers fewer (the upload form has no password protection).
 * @param {HTMLSelectElement} select
 * @param {Readonly<Record<number, string>>} labels
 * @param {readonly number[]} [only]
 */
export function fillSelect(select, labels, only) {
  const ids = Object.keys(labels).map(Number).filter((id) => !only || only.includes(id));
  select.replaceChildren(...ids.map((id) => new Option(labels[id], String(id))));
}
