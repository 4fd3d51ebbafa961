// Studio: the live form, one template for its two uses: "Create a live" (ids #create-…) and the
// selected live's "Settings" (ids #edit-…). Its privacy and latency choices come from enums.js.
//
// Video password (privacy 5): one password in the studio (PeerTube's UI); the API takes many
// (videoPasswords, /passwords). The field shows when the live or its replay is password protected;
// on the edit form it is required only when the video becomes password protected (an empty field
// keeps the passwords it has).
import { $, el, setMessage, show } from '../dom.js';
import { fillSelect, LATENCY_MODE_LABELS, Privacy, PRIVACY_LABELS } from '../enums.js';

/** @typedef {'create' | 'edit'} LiveFormKind */

/** What tells the two forms apart; everything else is the same. */
const VARIANTS = {
  create: {
    namePlaceholder: 'My awesome stream',
    descriptionNote: '(optional)',
    passwordHint: 'Viewers need it to watch (the live, or its replay when that is password protected).',
    permanentNote: '— reuse the same stream key for every session',
    messageId: 'create-error',
    submit: 'Create live',
  },
  edit: {
    namePlaceholder: '',
    descriptionNote: '',
    passwordHint: 'Viewers need it to watch.',
    permanentNote: '',
    messageId: 'edit-message',
    submit: 'Save changes',
  },
};

/** @type {Record<LiveFormKind, () => boolean>} whether the live already has passwords */
const keepsPasswords = { create: () => false, edit: () => false };

/**
 * @param {string} label
 * @param {HTMLElement} control
 * @param {string} [note] muted, after the label
 */
function field(label, control, note) {
  return el('label', { className: 'field' },
    el('span', { className: 'field-label' }, label, note ? [' ', el('span', { className: 'muted', text: note })] : null),
    control);
}

/**
 * @param {string} id
 * @param {string} name
 * @param {string} label
 * @param {string} [note]
 */
function checkbox(id, name, label, note) {
  return el('label', { className: 'check' },
    el('input', { type: 'checkbox', id, name }),
    el('span', {}, label, note ? [' ', el('span', { className: 'muted', text: note })] : null));
}

/**
 * @param {string} id
 * @param {string} name
 * @param {Readonly<Record<number, string>>} labels
 */
function select(id, name, labels) {
  const node = el('select', { id, name });
  fillSelect(node, labels);
  return node;
}

/**
 * Fills the empty <form id="<kind>-form"> of studio.html with the live's fields and wires its
 * replay and password fields. `hasPasswords`: whether the live being edited has passwords already.
 * @param {LiveFormKind} kind
 * @param {() => boolean} [hasPasswords]
 */
export function renderLiveForm(kind, hasPasswords = () => false) {
  const variant = VARIANTS[kind];
  const form = $(`#${kind}-form`, HTMLFormElement);
  const replayPrivacy = select(`${kind}-replay-privacy`, 'replayPrivacy', PRIVACY_LABELS);
  replayPrivacy.disabled = true;
  form.replaceChildren(
    field('Title', el('input', { id: `${kind}-name`, name: 'name', required: true, minLength: 3, maxLength: 120, placeholder: variant.namePlaceholder || undefined })),
    field('Description', el('textarea', { id: `${kind}-description`, name: 'description', rows: 3, maxLength: 10000 }), variant.descriptionNote),
    el('div', { className: 'field-row' },
      field('Privacy', select(`${kind}-privacy`, 'privacy', PRIVACY_LABELS)),
      field('Latency mode', select(`${kind}-latency`, 'latencyMode', LATENCY_MODE_LABELS))),
    el('div', { className: 'field-row align-end' },
      checkbox(`${kind}-save-replay`, 'saveReplay', 'Save replay'),
      field('Replay privacy', replayPrivacy)),
    el('label', { className: 'field', id: `${kind}-password-field`, hidden: true },
      el('span', { className: 'field-label', text: 'Video password' }),
      el('input', { id: `${kind}-password`, name: 'videoPassword', type: 'password', maxLength: 100, autocomplete: 'new-password', disabled: true }),
      el('span', { className: 'muted small', id: kind === 'edit' ? 'edit-password-hint' : undefined, text: variant.passwordHint })),
    checkbox(`${kind}-permanent`, 'permanentLive', 'Permanent live', variant.permanentNote),
    el('p', { className: 'message', id: variant.messageId, hidden: true, dataset: kind === 'create' ? { kind: 'error' } : undefined }),
    el('button', { type: 'submit', className: 'button primary', id: `${kind}-submit`, text: variant.submit }));

  keepsPasswords[kind] = hasPasswords;
  for (const id of ['privacy', 'save-replay', 'replay-privacy']) {
    $(`#${kind}-${id}`).addEventListener('change', () => syncPasswordField(kind));
  }
  $(`#${kind}-save-replay`).addEventListener('change', () => syncReplayPrivacy(kind));
  form.addEventListener('input', () => setMessage(formMessage(kind), ''));
  syncReplayPrivacy(kind);
  syncPasswordField(kind);
}

/** The form's message line (errors, and "Saved." on the edit form). */
export function formMessage(/** @type {LiveFormKind} */ kind) {
  return $(`#${VARIANTS[kind].messageId}`);
}

/** The replay's privacy is only offered when the replay is saved. */
export function syncReplayPrivacy(/** @type {LiveFormKind} */ kind) {
  $(`#${kind}-replay-privacy`, HTMLSelectElement).disabled = !$(`#${kind}-save-replay`, HTMLInputElement).checked;
}

/** Whether the form's live (`privacy`) or its replay (`replayPrivacy`, when saved) is password protected. */
export function wantsPassword(/** @type {LiveFormKind} */ kind) {
  const saveReplay = $(`#${kind}-save-replay`, HTMLInputElement).checked;
  return Number($(`#${kind}-privacy`, HTMLSelectElement).value) === Privacy.PASSWORD_PROTECTED ||
    (saveReplay && Number($(`#${kind}-replay-privacy`, HTMLSelectElement).value) === Privacy.PASSWORD_PROTECTED);
}

export function syncPasswordField(/** @type {LiveFormKind} */ kind) {
  const input = $(`#${kind}-password`, HTMLInputElement);
  const visible = wantsPassword(kind);
  show($(`#${kind}-password-field`), visible);
  input.disabled = !visible;
  const keeps = keepsPasswords[kind]();
  input.required = visible && !keeps;
  input.placeholder = keeps ? 'Leave empty to keep the current password' : '';
  if (!visible) input.value = '';
}

/**
 * Shows `value` in a select; a value the form cannot set (e.g. a privacy chosen elsewhere) is shown,
 * but not as a choice.
 * @param {HTMLSelectElement} select
 * @param {number} value
 */
export function setSelectValue(select, value) {
  const text = String(value);
  if (![...select.options].some((option) => option.value === text)) {
    const option = new Option(PRIVACY_LABELS[value] ?? text, text);
    option.disabled = true;
    select.append(option);
  }
  select.value = text;
}
