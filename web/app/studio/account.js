// Studio: signing in and out (document.body.dataset.auth: unknown | out | in), and the one way to
// report an API error, which sends an expired session back to the sign-in form.
import { ApiError, getMe, login, logout } from '../api.js';
import { $, setMessage, show } from '../dom.js';
import { stopFollowing, studio } from './state.js';

const EXPIRED = 'Your session has expired: please sign in again.';

export function showSignedOut(message = '') {
  document.body.dataset.auth = 'out';
  studio.me = null;
  stopFollowing();
  show($('#studio'), false);
  show($('#header-user'), false);
  show($('#login-section'), true);
  setMessage($('#login-error'), message);
  $('#login-username').focus();
}

function showSignedIn() {
  const me = studio.me;
  if (!me) return;
  document.body.dataset.auth = 'in';
  show($('#login-section'), false);
  show($('#studio'), true);
  show($('#header-user'), true);
  $('#me-name').textContent = me.account?.displayName || me.username;
  if (!me.videoChannels?.length) {
    setMessage($('#studio-error'), 'Your account has no channel: you cannot create lives.');
    $('#create-submit', HTMLButtonElement).disabled = true;
  }
}

/** Shows an API error in `node`; an expired session sends back to the sign-in form. */
export function reportError(/** @type {unknown} */ error, /** @type {HTMLElement} */ node) {
  if (error instanceof ApiError && error.status === 401) {
    showSignedOut(EXPIRED);
    return;
  }
  setMessage(node, (error instanceof Error && error.message) || String(error));
}

/** Reads the signed-in user; false (and the sign-in form) when the session is gone. */
export async function loadMe() {
  try {
    studio.me = await getMe();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) showSignedOut(EXPIRED);
    else showSignedOut(`Could not load your account: ${error instanceof Error ? error.message : error}`);
    return false;
  }
  showSignedIn();
  return true;
}

/**
 * Wires the sign-in form and the log-out button.
 * @param {() => Promise<void>} onSignedIn
 */
export function initAccount(onSignedIn) {
  $('#login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const username = $('#login-username', HTMLInputElement).value.trim();
    const password = $('#login-password', HTMLInputElement).value;
    if (!username || !password) {
      setMessage($('#login-error'), 'Enter your username and password.');
      return;
    }
    const submit = $('#login-submit', HTMLButtonElement);
    submit.disabled = true;
    setMessage($('#login-error'), '');
    try {
      await login(username, password);
      $('#login-password', HTMLInputElement).value = '';
      await onSignedIn();
    } catch (error) {
      setMessage($('#login-error'), error instanceof Error ? error.message : String(error));
    } finally {
      submit.disabled = false;
    }
  });

  $('#logout').addEventListener('click', async () => {
    await logout();
    studio.selected = null;
    history.replaceState(null, '', location.pathname);
    showSignedOut();
  });
}
