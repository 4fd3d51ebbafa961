// The progress bar of on-demand videos, above the native controls: chapter markers split it, and
// hovering (or touching) it shows the chapter title, the time and the storyboard frame at that
// position; a click seeks. Built in #progress (created after the player when missing).
//   #progress[data-duration]          the bar (role=slider)
//   .chapter-marker[data-timecode]    one per chapter after the first, at timecode / duration
//   #progress-tooltip                 title + time at the pointer; #storyboard-preview: the sprite
import { request } from './api.js';
import { el, show } from './dom.js';

/** @typedef {import('../../api/schemas/chapters.ts').ChapterListJson} ChapterList */
/** @typedef {ChapterList['chapters'][number]} Chapter */
/** @typedef {import('../../api/schemas/chapters.ts').StoryboardListJson} StoryboardList */
/** @typedef {StoryboardList['storyboards'][number]} Storyboard */

function formatTime(/** @type {number} */ seconds) {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor(total / 60) % 60;
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export class ChapterProgressBar {
  /** @type {HTMLVideoElement} */
  #video;
  /** @type {HTMLDivElement} */
  #root;
  /** @type {HTMLDivElement} */
  #track;
  /** @type {HTMLDivElement} */
  #played;
  /** @type {HTMLDivElement} */
  #tooltip;
  /** @type {HTMLDivElement} */
  #preview;
  /** @type {HTMLSpanElement} */
  #title;
  /** @type {HTMLSpanElement} */
  #time;
  /** @type {Chapter[]} */
  #chapters = [];
  /** @type {Storyboard | null} */
  #storyboard = null;
  #fallbackDuration = 0;
  /** @type {Array<() => void>} */
  #cleanups = [];

  /** @param {HTMLVideoElement} video @param {HTMLElement} host the bar goes after it */
  constructor(video, host) {
    this.#video = video;
    this.#played = el('div', { className: 'progress-played' });
    this.#track = el('div', { className: 'progress-track' }, this.#played);
    this.#preview = el('div', { id: 'storyboard-preview', className: 'storyboard-preview', hidden: true });
    this.#title = el('span', { className: 'progress-tooltip-title' });
    this.#time = el('span', { className: 'progress-tooltip-time' });
    this.#tooltip = el('div', { id: 'progress-tooltip', className: 'progress-tooltip', hidden: true, attrs: { role: 'tooltip' } },
      this.#preview, this.#title, this.#time);
    this.#root = el('div', {
      id: 'progress', className: 'progress', tabIndex: 0,
      attrs: { role: 'slider', 'aria-label': 'Seek', 'aria-valuemin': 0 },
    }, this.#track, this.#tooltip);
    host.after(this.#root);

    /**
     * @template {Event} E
     * @param {EventTarget} target
     * @param {string} type
     * @param {(event: E) => void} listener
     */
    const on = (target, type, listener) => {
      const handler = /** @type {EventListener} */ (listener);
      target.addEventListener(type, handler);
      this.#cleanups.push(() => target.removeEventListener(type, handler));
    };
    on(this.#root, 'pointermove', (/** @type {PointerEvent} */ event) => this.#hover(event.clientX));
    on(this.#root, 'pointerdown', (/** @type {PointerEvent} */ event) => this.#hover(event.clientX));
    on(this.#root, 'pointerleave', () => show(this.#tooltip, false));
    on(this.#root, 'click', (/** @type {MouseEvent} */ event) => this.#seek(this.#timeAt(event.clientX)));
    on(this.#root, 'keydown', (/** @type {KeyboardEvent} */ event) => {
      if (event.key === 'ArrowRight') this.#seek(this.#video.currentTime + 5);
      else if (event.key === 'ArrowLeft') this.#seek(this.#video.currentTime - 5);
    });
    for (const type of ['timeupdate', 'durationchange', 'loadedmetadata']) on(video, type, () => this.#render());
  }

  /**
   * Loads the chapters and storyboard of `videoInfo` (the API's video) and draws them. Protected
   * videos: `password` goes in the x-peertube-video-password header (the bearer is always sent by
   * api.js), and `mediaUrl(url)` adds the video file token to the sprite's URL (an image cannot
   * send headers).
   * @param {{ id: number, uuid?: string, duration?: number }} videoInfo
   * @param {{ password?: string, mediaUrl?: (url: string) => string }} [options]
   */
  async load(videoInfo, { password, mediaUrl = (url) => url } = {}) {
    this.#fallbackDuration = videoInfo.duration ?? 0;
    const headers = password ? { 'x-peertube-video-password': password } : undefined;
    /** @type {[Partial<ChapterList>, Partial<StoryboardList>]} */
    const [chapters, storyboards] = await Promise.all([
      request(`/videos/${encodeURIComponent(videoInfo.uuid ?? videoInfo.id)}/chapters`, { headers }).catch(() => ({ chapters: [] })),
      request(`/videos/${encodeURIComponent(videoInfo.uuid ?? videoInfo.id)}/storyboards`, { headers }).catch(() => ({ storyboards: [] })),
    ]);
    this.setChapters(chapters.chapters ?? []);
    const storyboard = storyboards.storyboards?.[0] ?? null;
    this.setStoryboard(storyboard && { ...storyboard, storyboardPath: mediaUrl(storyboard.storyboardPath) });
  }

  get duration() {
    const media = this.#video.duration;
    return Number.isFinite(media) && media > 0 ? media : this.#fallbackDuration;
  }

  setChapters(/** @type {Chapter[]} */ chapters) {
    this.#chapters = [...chapters].sort((a, b) => a.timecode - b.timecode);
    this.#render();
  }

  setStoryboard(/** @type {Storyboard | null} */ storyboard) {
    this.#storyboard = storyboard;
    if (storyboard) {
      this.#preview.style.backgroundImage = `url("${storyboard.storyboardPath}")`;
      this.#preview.style.width = `${storyboard.spriteWidth}px`;
      this.#preview.style.height = `${storyboard.spriteHeight}px`;
    }
  }

  destroy() {
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.#root.remove();
  }

  #render() {
    const duration = this.duration;
    this.#root.dataset.duration = String(duration);
    this.#root.setAttribute('aria-valuemax', String(Math.round(duration)));
    this.#root.setAttribute('aria-valuenow', String(Math.round(this.#video.currentTime)));
    this.#played.style.width = duration ? `${Math.min(100, (this.#video.currentTime / duration) * 100)}%` : '0%';
    const key = this.#chapters.map((chapter) => chapter.timecode).join(',') + `@${duration}`;
    if (this.#track.dataset.markers === key) return;
    this.#track.dataset.markers = key;
    for (const marker of this.#track.querySelectorAll('.chapter-marker')) marker.remove();
    if (!duration) return;
    for (const chapter of this.#chapters) {
      if (chapter.timecode <= 0 || chapter.timecode >= duration) continue;
      this.#track.append(el('div', {
        className: 'chapter-marker', title: chapter.title,
        dataset: { timecode: String(chapter.timecode) },
        attrs: { style: `left: ${(chapter.timecode / duration) * 100}%` },
      }));
    }
  }

  #timeAt(/** @type {number} */ clientX) {
    const box = this.#root.getBoundingClientRect();
    const fraction = box.width ? Math.min(1, Math.max(0, (clientX - box.left) / box.width)) : 0;
    return fraction * this.duration;
  }

  #chapterAt(/** @type {number} */ time) {
    /** @type {Chapter | null} */
    let current = null;
    for (const chapter of this.#chapters) if (chapter.timecode <= time) current = chapter;
    return current;
  }

  #hover(/** @type {number} */ clientX) {
    const duration = this.duration;
    if (!duration) return;
    const time = this.#timeAt(clientX);
    const chapter = this.#chapterAt(time);
    this.#title.textContent = chapter?.title ?? '';
    show(this.#title, Boolean(chapter));
    this.#time.textContent = formatTime(time);
    const storyboard = this.#storyboard;
    if (storyboard) {
      const columns = Math.max(1, Math.round(storyboard.totalWidth / storyboard.spriteWidth));
      const rows = Math.max(1, Math.round(storyboard.totalHeight / storyboard.spriteHeight));
      const count = Math.min(columns * rows, Math.max(1, Math.ceil(duration / storyboard.spriteDuration)));
      const index = Math.min(count - 1, Math.floor(time / storyboard.spriteDuration));
      const x = (index % columns) * storyboard.spriteWidth;
      const y = Math.floor(index / columns) * storyboard.spriteHeight;
      this.#preview.style.backgroundPosition = `-${x}px -${y}px`;
      this.#preview.dataset.index = String(index);
      show(this.#preview, true);
    }
    show(this.#tooltip, true);
    const box = this.#root.getBoundingClientRect();
    const half = this.#tooltip.offsetWidth / 2;
    const left = Math.min(box.width - half, Math.max(half, clientX - box.left));
    this.#tooltip.style.left = `${left}px`;
  }

  #seek(/** @type {number} */ time) {
    const duration = this.duration;
    if (!duration) return;
    this.#video.currentTime = Math.min(Math.max(0, time), duration - 0.1);
    this.#render();
  }
}
