// Chat text to DOM nodes: plain text nodes, with http(s) URLs made into links. Nothing is ever parsed
// as HTML, and no other scheme (javascript:, data:, ...) becomes a link.
import { el } from '../dom.js';

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+/gi;
/** Punctuation that usually ends the sentence rather than the URL. */
const TRAILING = /[.,;:!?'")\]}]+$/;
export const LINK_REL = 'nofollow noopener noreferrer ugc';

/** @param {string} text @returns {Node[]} */
export function linkify(text) {
  /** @type {Node[]} */
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const raw = match[0].replace(TRAILING, '');
    const href = httpUrl(raw);
    if (!href) continue;
    if (match.index > last) nodes.push(document.createTextNode(text.slice(last, match.index)));
    nodes.push(el('a', { href, text: raw, target: '_blank', rel: LINK_REL }));
    last = match.index + raw.length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

function httpUrl(/** @type {string} */ raw) {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
