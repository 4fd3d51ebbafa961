// The site chrome shared by every page: the header (brand with the instance name, the nav with the
// active link marked), the favicon and the page title. Pages hold only their own content; a page's
// own header items (the studio's signed-in user) sit in a <header class="site-header"> of its own,
// which the chrome is added to.
import { getConfig } from './api.js';
import { el } from './dom.js';

/** The nav, in order: every page shows every link. */
const NAV_LINKS = [
  { href: '/', text: 'Home' },
  { href: '/studio', text: 'Studio' },
  { href: '/upload', text: 'Upload' },
];

let instanceName = 'Livecast';

/** Sets the document title as "<page> · <instance>". */
export function setPageTitle(/** @type {string} */ page) {
  document.title = page ? `${page} · ${instanceName}` : instanceName;
}

/** @param {string} path */
function isCurrent(path) {
  return path === '/' ? location.pathname === '/' : location.pathname.startsWith(path);
}

function renderHeader() {
  const brand = el('a', { className: 'brand', href: '/' },
    el('span', { className: 'brand-mark', attrs: { 'aria-hidden': 'true' } }),
    el('span', { id: 'instance-name', dataset: { instanceName: '' }, text: instanceName }));
  const nav = el('nav', { className: 'site-nav' }, ...NAV_LINKS.map(({ href, text }) => {
    const link = el('a', { href, text, dataset: { nav: '' } });
    if (isCurrent(href)) link.setAttribute('aria-current', 'page');
    return link;
  }));
  let header = document.querySelector('body > header.site-header');
  if (!header) header = document.body.insertAdjacentElement('afterbegin', el('header', { className: 'site-header' }));
  header?.prepend(brand, nav);
}

function addFavicon() {
  if (document.querySelector('link[rel="icon"]')) return;
  document.head.append(el('link', { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' }));
}

// Rendered as soon as a page imports this module (module scripts run once the document is parsed),
// so the header is there before the page's own code runs and looks items up in it.
renderHeader();
addFavicon();

/** Titles the page, then shows the instance's name (from /config) in the header and the title. */
export async function initLayout(/** @type {string} */ pageTitle) {
  setPageTitle(pageTitle);
  try {
    const config = await getConfig();
    instanceName = config.instance?.name || instanceName;
  } catch {
    // The page still works without the instance name.
  }
  for (const node of document.querySelectorAll('[data-instance-name]')) node.textContent = instanceName;
  setPageTitle(pageTitle);
}
