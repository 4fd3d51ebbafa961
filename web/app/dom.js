// Small DOM and formatting helpers. Text always goes through text nodes: user input is never parsed as HTML.

/**
 * The page's element matching `selector`, typed as the caller expects: `$('#name', HTMLInputElement)`
 * (HTMLElement without a type). Pages look up their own markup, so the result is typed as present
 * (null only where the page lacks it: `show` and `setMessage` accept that); an element of another
 * type than asked is a bug in the page, and throws here rather than later.
 * @overload
 * @param {string} selector
 * @returns {HTMLElement}
 */
/**
 * @template {Element} T
 * @overload
 * @param {string} selector
 * @param {new () => T} type
 * @returns {T}
 */
/**
 * @param {string} selector
 * @param {new () => Element} [type]
 * @returns {Element}
 */
export function $(selector, type) {
  const node = document.querySelector(selector);
  if (node && type && !(node instanceof type)) throw new TypeError(`${selector} is not a ${type.name}`);
  return /** @type {Element} */ (node);
}

/**
 * What `el` and `append` take as children: an array (one level) is flattened.
 * @typedef {Node | string | number | boolean | null | undefined} Leaf
 * @typedef {Leaf | Leaf[]} Child
 */
/**
 * `on`'s listeners get the event as `any`: its currentTarget is the element `el` creates, which
 * the listener knows better than a generic type would.
 * @typedef {{ [property: string]: any, className?: string, text?: unknown, dataset?: Record<string, string>,
 *   attrs?: Record<string, unknown>, on?: Record<string, (event: any) => unknown> }} ElementProps
 */

/**
 * Creates an element. `props`: className, text, hidden, dataset, attrs (attributes), on (event listeners),
 * and any other key is assigned as a DOM property (href, type, value, disabled...).
 * Children may be nodes, strings (as text) or null/false (skipped).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {ElementProps} [props]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'className') node.className = value;
    else if (key === 'text') node.textContent = String(value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'attrs') for (const [name, attr] of Object.entries(value)) node.setAttribute(name, String(attr));
    else if (key === 'on') for (const [type, listener] of Object.entries(value)) node.addEventListener(type, listener);
    else /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (node))[key] = value;
  }
  append(node, ...children);
  return node;
}

/**
 * @template {Element} E
 * @param {E} parent
 * @param {...Child} children
 * @returns {E}
 */
export function append(parent, ...children) {
  for (const child of /** @type {Leaf[]} */ (children.flat())) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** @template {Element} E @param {E} node @returns {E} */
export function clear(node) {
  node.replaceChildren();
  return node;
}

/** @param {HTMLElement | null | undefined} node @param {boolean} [visible] */
export function show(node, visible = true) {
  if (node) node.hidden = !visible;
}

/**
 * Shows a message in a status element (`kind`: 'error' | 'ok' | 'info'), or hides it for an empty message.
 * @param {HTMLElement | null | undefined} node
 * @param {string | null | undefined} message
 */
export function setMessage(node, message, kind = 'error') {
  if (!node) return;
  node.textContent = message ?? '';
  node.dataset.kind = kind;
  node.hidden = !message;
}

const countFormat = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
/** @param {unknown} count */
export function formatCount(count) {
  return countFormat.format(Number(count) || 0);
}

/** @param {unknown} count @param {string} singular */
export function plural(count, singular, pluralForm = `${singular}s`) {
  return `${formatCount(count)} ${Number(count) === 1 ? singular : pluralForm}`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
/** @param {string | null | undefined} iso */
export function formatDate(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : dateFormat.format(date);
}

const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
/** @param {string | null | undefined} iso */
export function formatRelative(iso) {
  if (!iso) return '';
  const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
  if (Number.isNaN(seconds)) return '';
  /** @type {Array<[Intl.RelativeTimeFormatUnit, number]>} */
  const units = [['year', 31_536_000], ['month', 2_592_000], ['week', 604_800], ['day', 86_400], ['hour', 3600], ['minute', 60]];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relativeFormat.format(Math.round(seconds / size), unit);
  }
  return relativeFormat.format(0, 'second');
}

/** @param {number} milliseconds */
export function formatDuration(milliseconds) {
  const total = Math.max(0, Math.round(milliseconds / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (/** @type {number} */ value) => String(value).padStart(2, '0');
  return hours ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${minutes}:${pad(seconds)}`;
}

/** A stable hue for a string, to give cards without thumbnails distinct colours. */
/** @param {unknown} text */
export function hueOf(text) {
  let hash = 0;
  for (const char of String(text)) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) | 0;
  return Math.abs(hash) % 360;
}
