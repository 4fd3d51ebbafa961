// Copy to the clipboard: the async Clipboard API where allowed (secure contexts), otherwise select
// the text in its field so the user can press Ctrl+C / ⌘C (and try the legacy copy command).

/**
 * Copies `text`; `field` (an <input>) is the fallback to select. Returns 'copied' or 'selected'.
 * A masked (password) field is revealed for the fallback, as browsers refuse to copy from those.
 * @param {string} text
 * @param {HTMLInputElement} field
 * @returns {Promise<'copied' | 'selected'>}
 */
export async function copyText(text, field) {
  if (navigator.clipboard?.writeText && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return 'copied';
    } catch {
      // Permission denied or document not focused: fall back to selection.
    }
  }
  if (!field) return 'selected';
  if (field.type === 'password') field.type = 'text';
  field.focus();
  field.select();
  field.setSelectionRange?.(0, field.value.length);
  try {
    if (document.execCommand('copy')) return 'copied';
  } catch {
    // execCommand is deprecated and may throw.
  }
  return 'selected';
}
