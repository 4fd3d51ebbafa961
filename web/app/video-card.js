// A video card for lists: coloured placeholder thumbnail with LIVE / state badge, title, channel, date.
import { VideoState } from './enums.js';
import { el, formatRelative, hueOf, plural } from './dom.js';

/** @typedef {import('./api.js').Video} Video */

function badgeOf(/** @type {Video} */ video) {
  if (!video.isLive) return null;
  if (video.state?.id === VideoState.PUBLISHED) return el('span', { className: 'badge badge-live', text: 'LIVE' });
  if (video.state?.id === VideoState.WAITING_FOR_LIVE) return el('span', { className: 'badge badge-waiting', text: 'Upcoming' });
  if (video.state?.id === VideoState.LIVE_ENDED) return el('span', { className: 'badge badge-ended', text: 'Ended' });
  return el('span', { className: 'badge', text: video.state?.label ?? '' });
}

export function videoCard(/** @type {Video} */ video) {
  const streaming = video.isLive && video.state?.id === VideoState.PUBLISHED;
  const channel = video.channel?.displayName || video.channel?.name || video.account?.displayName || '';
  const href = video.url || `/w/${encodeURIComponent(video.shortUUID ?? video.uuid ?? video.id)}`;

  const thumb = el('div', { className: 'thumb', attrs: { 'aria-hidden': 'true' } },
    el('span', { className: 'thumb-initial', text: (video.name ?? '?').trim().slice(0, 1).toUpperCase() }),
    badgeOf(video),
    streaming ? el('span', { className: 'thumb-viewers', text: plural(video.viewers ?? 0, 'viewer') }) : null);
  thumb.style.setProperty('--hue', String(hueOf(video.uuid ?? video.name)));

  const date = video.publishedAt ?? video.createdAt;
  return el('a', {
    className: `video-card${streaming ? ' is-live' : ''}`,
    href,
    dataset: { videoId: String(video.id), shortUuid: video.shortUUID ?? '' },
  },
  thumb,
  el('div', { className: 'card-body' },
    el('h3', { className: 'card-title', text: video.name, title: video.name }),
    el('p', { className: 'card-channel', text: channel }),
    el('p', { className: 'card-meta', text: streaming ? `Started ${formatRelative(date)}` : formatRelative(date) })));
}
