// The site chrome shared by every page: instance name in the header and the page title, active nav link.
import { getConfig } from './api.js';

let instanceName = 'Livecast';

/** Sets the document title as "<page> · <instance>". */
export function setPageTitle(page) {
  document.title = page ? `${page} · ${instanceName}` : instanceName;
}

export async function initLayout(pageTitle) {
  // Every page's nav gets the upload page's link, after the studio's.
  const nav = document.querySelector('.site-nav');
  if (nav && !nav.querySelector('a[href="/upload"]')) {
    const link = Object.assign(document.createElement('a'), { href: '/upload', textContent: 'Upload' });
    link.dataset.nav = '';
    nav.append(link);
  }
  for (const link of document.querySelectorAll('[data-nav]')) {
    const path = link.getAttribute('href');
    const active = path === '/' ? location.pathname === '/' : location.pathname.startsWith(path);
    if (active) link.setAttribute('aria-current', 'page');
  }
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
