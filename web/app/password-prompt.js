// The password prompt of a password-protected video (PeerTube's privacy 5) on the watch page:
// #password-form with #password-input, and #password-error when the server refuses the password.
import { ApiError } from './api.js';

/**
 * Shows the form in `container` and calls `tryPassword(password)` on each submit until it resolves;
 * returns what it resolved with. A rejection (e.g. incorrect_video_password) is shown under the field.
 * @template T
 * @param {HTMLElement} container
 * @param {(password: string) => Promise<T>} tryPassword
 * @returns {Promise<T>}
 */
export function askVideoPassword(container, tryPassword) {
  const form = document.createElement('form');
  form.id = 'password-form';
  form.className = 'field';
  form.style.width = 'min(320px, 100%)';
  const label = document.createElement('label');
  label.className = 'field-label';
  label.htmlFor = 'password-input';
  label.textContent = 'Password';
  const input = document.createElement('input');
  input.id = 'password-input';
  input.type = 'password';
  input.required = true;
  input.autocomplete = 'off';
  const error = document.createElement('p');
  error.id = 'password-error';
  error.className = 'overlay-text';
  error.setAttribute('role', 'alert');
  error.hidden = true;
  const submit = document.createElement('button');
  submit.type = 'submit';
  submit.className = 'button primary';
  submit.textContent = 'Watch';
  form.append(label, input, error, submit);
  container.append(form);
  input.focus();

  return new Promise((resolve) => {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      submit.disabled = true;
      error.hidden = true;
      try {
        const result = await tryPassword(input.value);
        form.remove();
        resolve(result);
      } catch (failure) {
        error.textContent = failure instanceof ApiError && failure.code === 'incorrect_video_password'
          ? 'Incorrect password. Try again.'
          : String(failure instanceof Error ? failure.message : failure);
        error.hidden = false;
        input.select();
      } finally {
        submit.disabled = false;
      }
    });
  });
}
