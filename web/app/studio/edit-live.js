// Studio: the selected live's "Settings": fills the form from the server's values and sends only
// what changed, to each of the two resources (the video, then its live settings).
import { updateLive, updateVideo } from '../api.js';
import { $, setMessage } from '../dom.js';
import { LatencyMode, Privacy } from '../enums.js';
import { reportError } from './account.js';
import { loadMyLives } from './live-list.js';
import { renderLiveForm, setSelectValue, syncPasswordField, syncReplayPrivacy, wantsPassword } from './live-form.js';
import { studio } from './state.js';

/** @typedef {import('../../../api/schemas/video.ts').VideoUpdateBody} VideoUpdateBody */
/** @typedef {import('../../../api/schemas/live.ts').LiveUpdateBody} LiveUpdateBody */

/** Whether the selected live already has passwords (it or its replay is password protected). */
function hasPasswords() {
  const selected = studio.selected;
  if (!selected) return false;
  return selected.video.privacy?.id === Privacy.PASSWORD_PROTECTED ||
    (Boolean(selected.live.saveReplay) && selected.live.replaySettings?.privacy === Privacy.PASSWORD_PROTECTED);
}

export function fillEditForm() {
  if (!studio.selected) return;
  const { video, live } = studio.selected;
  $('#edit-name', HTMLInputElement).value = video.name;
  $('#edit-description', HTMLTextAreaElement).value = video.description ?? '';
  setSelectValue($('#edit-privacy', HTMLSelectElement), video.privacy.id);
  setSelectValue($('#edit-latency', HTMLSelectElement), live.latencyMode ?? LatencyMode.DEFAULT);
  $('#edit-save-replay', HTMLInputElement).checked = Boolean(live.saveReplay);
  setSelectValue($('#edit-replay-privacy', HTMLSelectElement), live.replaySettings?.privacy ?? video.privacy.id);
  $('#edit-permanent', HTMLInputElement).checked = Boolean(live.permanentLive);
  syncReplayPrivacy('edit');
  $('#edit-password', HTMLInputElement).value = '';
  syncPasswordField('edit');
}

/** @param {(ref: string) => Promise<void>} reload shows a live again, as the server now holds it */
export function initEditForm(reload) {
  renderLiveForm('edit', hasPasswords);
  $('#edit-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!studio.selected) return;
    const { video, live } = studio.selected;
    const message = $('#edit-message');
    const name = $('#edit-name', HTMLInputElement).value.trim();
    if (name.length < 3) {
      setMessage(message, 'The title needs at least 3 characters.');
      return;
    }

    /** @type {VideoUpdateBody} */
    const videoPatch = {};
    if (name !== video.name) videoPatch.name = name;
    const description = $('#edit-description', HTMLTextAreaElement).value;
    if (description !== (video.description ?? '')) videoPatch.description = description;
    const privacy = Number($('#edit-privacy', HTMLSelectElement).value);
    if (privacy !== video.privacy.id) videoPatch.privacy = privacy;
    // PUT /videos/{id} sets the passwords before PUT /videos/live/{id} may ask for them (replay privacy 5).
    const password = wantsPassword('edit') ? $('#edit-password', HTMLInputElement).value : '';
    if (wantsPassword('edit') && !password && !hasPasswords()) {
      setMessage(message, 'A password-protected video needs a password.');
      return;
    }
    if (password) videoPatch.videoPasswords = [password];

    const saveReplay = $('#edit-save-replay', HTMLInputElement).checked;
    const replayPrivacy = Number($('#edit-replay-privacy', HTMLSelectElement).value);
    /** @type {LiveUpdateBody} */
    const livePatch = {};
    if (saveReplay !== live.saveReplay) livePatch.saveReplay = saveReplay;
    if (saveReplay && replayPrivacy !== live.replaySettings?.privacy) livePatch.replaySettings = { privacy: replayPrivacy };
    if (!saveReplay && live.replaySettings) livePatch.replaySettings = null;
    const permanentLive = $('#edit-permanent', HTMLInputElement).checked;
    if (permanentLive !== live.permanentLive) livePatch.permanentLive = permanentLive;
    const latencyMode = Number($('#edit-latency', HTMLSelectElement).value);
    if (latencyMode !== live.latencyMode) livePatch.latencyMode = latencyMode;

    if (!Object.keys(videoPatch).length && !Object.keys(livePatch).length) {
      setMessage(message, 'Nothing to save.', 'info');
      return;
    }
    const submit = $('#edit-submit', HTMLButtonElement);
    submit.disabled = true;
    setMessage(message, '');
    try {
      if (Object.keys(videoPatch).length) await updateVideo(video.id, videoPatch);
      if (Object.keys(livePatch).length) await updateLive(video.id, livePatch);
      await reload(video.shortUUID);
      await loadMyLives();
      setMessage(message, 'Saved.', 'ok');
    } catch (error) {
      reportError(error, message);
      // Part of the change may have been applied: show what the server holds now.
      if (studio.selected) void reload(studio.selected.video.shortUUID);
    } finally {
      submit.disabled = false;
    }
  });
}
