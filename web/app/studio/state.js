// The studio's shared state: the signed-in user, their lives, the selected live, and the timer that
// keeps the selected live current (details.js starts it; signing out stops it).

/** @typedef {import('../api.js').Video} Video */
/** @typedef {import('../api.js').Live} Live */
/** @typedef {import('../api.js').User} User */
/** @typedef {{ video: Video, live: Live }} Selection */

export const studio = {
  /** @type {User | null} */
  me: null,
  /** @type {Video[]} */
  myLives: [],
  /** @type {Selection | null} */
  selected: null,
};

/** @type {ReturnType<typeof setInterval> | undefined} */
let followTimer;

/** Runs `tick` every `intervalMs` in place of the previous follower. */
export function startFollowing(/** @type {() => void} */ tick, /** @type {number} */ intervalMs) {
  stopFollowing();
  followTimer = setInterval(tick, intervalMs);
}

export function stopFollowing() {
  clearInterval(followTimer);
  followTimer = undefined;
}
