// Home page: lives streaming now (refreshed every 15 s) and recent videos.
import { listVideos } from './api.js';
import { VideoState } from './enums.js';
import { $, setMessage, show } from './dom.js';
import { initLayout } from './layout.js';
import { videoCard } from './video-card.js';

const LIVE_REFRESH_MS = 15_000;

/**
 * Fills a card grid from one API listing, with empty and error states.
 * @param {{ list: HTMLElement, empty: HTMLElement, error: HTMLElement }} section
 * @param {Record<string, unknown>} params
 */
async function loadInto({ list, empty, error }, params) {
  try {
    const { data } = await listVideos(params);
    list.replaceChildren(...data.map(videoCard));
    show(empty, data.length === 0);
    setMessage(error, '');
  } catch (failure) {
    // Keep what is already shown; say why it could not be updated.
    setMessage(error, `Could not load videos: ${failure instanceof Error ? failure.message : failure}`);
    show(empty, false);
  } finally {
    list.setAttribute('aria-busy', 'false');
  }
}

const liveSection = { list: $('#live-list'), empty: $('#live-empty'), error: $('#live-error') };
const recentSection = { list: $('#recent-list'), empty: $('#recent-empty'), error: $('#recent-error') };

async function loadLive() {
  await loadInto(liveSection, { isLive: true, state: VideoState.PUBLISHED, count: 20 });
  $('#live-updated').textContent = `Updated ${new Date().toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })}`;
}

const loadRecent = () => loadInto(recentSection, { count: 20, sort: '-publishedAt' });

void initLayout('');
void loadLive();
void loadRecent();

// Refresh "live now" periodically, but not while the tab is hidden; catch up when it is shown again.
let lastLiveLoad = Date.now();
setInterval(() => {
  if (document.hidden) return;
  lastLiveLoad = Date.now();
  void loadLive();
}, LIVE_REFRESH_MS);
document.addEventListener('visibilitychange', () => {
  if (!document.hidden && Date.now() - lastLiveLoad > LIVE_REFRESH_MS) {
    lastLiveLoad = Date.now();
    void loadLive();
    void loadRecent();
  }
});
