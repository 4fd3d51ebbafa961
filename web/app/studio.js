// Studio (/studio): sign in, create lives, list the user's lives, edit one, see its OBS settings,
// its sessions and its chapters. Each section is a module of its own under studio/; this one wires
// them together and starts the page.
import { isLoggedIn } from './api.js';
import { initLayout } from './layout.js';
import { initAccount, loadMe, showSignedOut } from './studio/account.js';
import { initCreateForm } from './studio/create-live.js';
import { selectLive } from './studio/details.js';
import { initEditForm } from './studio/edit-live.js';
import { initLiveList, loadMyLives } from './studio/live-list.js';
import { initObsPanel } from './studio/obs-panel.js';
import { initSessions } from './studio/sessions.js';
import { stopFollowing } from './studio/state.js';

async function enterStudio() {
  if (!await loadMe()) return;
  await loadMyLives();
  const ref = new URLSearchParams(location.hash.slice(1)).get('live');
  if (ref) await selectLive(ref);
}

initAccount(enterStudio);
initLiveList((ref) => void selectLive(ref));
initCreateForm(selectLive);
initEditForm((ref) => selectLive(ref, { quiet: true }));
initObsPanel();
initSessions();
window.addEventListener('pagehide', stopFollowing);

void initLayout('Studio');
if (isLoggedIn()) void enterStudio();
else showSignedOut();
