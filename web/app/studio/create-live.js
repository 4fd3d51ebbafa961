// Studio: "Create a live" (POST /videos/live on the user's first channel), then opens the new live.
import { createLive } from '../api.js';
import { $, setMessage } from '../dom.js';
import { reportError } from './account.js';
import { loadMyLives } from './live-list.js';
import { renderLiveForm, syncPasswordField, syncReplayPrivacy, wantsPassword } from './live-form.js';
import { studio } from './state.js';

/** @typedef {import('../../../api/schemas/live.ts').LiveCreateBody} LiveCreateBody */

/** @param {(ref: string) => Promise<void>} open shows a live (here: the one just created) */
export function initCreateForm(open) {
  renderLiveForm('create');
  const form = $('#create-form', HTMLFormElement);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = $('#create-error');
    const name = $('#create-name', HTMLInputElement).value.trim();
    if (name.length < 3) {
      setMessage(error, 'The title needs at least 3 characters.');
      return;
    }
    const channel = studio.me?.videoChannels[0];
    if (!channel) return;
    const saveReplay = $('#create-save-replay', HTMLInputElement).checked;
    /** @type {LiveCreateBody} */
    const body = {
      channelId: channel.id,
      name,
      description: $('#create-description', HTMLTextAreaElement).value,
      privacy: Number($('#create-privacy', HTMLSelectElement).value),
      latencyMode: Number($('#create-latency', HTMLSelectElement).value),
      saveReplay,
      permanentLive: $('#create-permanent', HTMLInputElement).checked,
    };
    if (saveReplay) body.replaySettings = { privacy: Number($('#create-replay-privacy', HTMLSelectElement).value) };
    if (wantsPassword('create')) {
      const password = $('#create-password', HTMLInputElement).value;
      if (!password) {
        setMessage(error, 'A password-protected video needs a password.');
        return;
      }
      // The live's passwords also protect its replay (replay privacy 5).
      body.videoPasswords = [password];
    }

    const submit = $('#create-submit', HTMLButtonElement);
    submit.disabled = true;
    setMessage(error, '');
    try {
      const { video } = await createLive(body);
      form.reset();
      syncReplayPrivacy('create');
      syncPasswordField('create');
      await open(video.shortUUID);
      await loadMyLives();
    } catch (failure) {
      reportError(failure, error);
    } finally {
      submit.disabled = false;
    }
  });
}
