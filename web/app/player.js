// HLS playback of a live stream: hls.js over Media Source Extensions (native HLS where MSE is missing),
// muted autoplay, recovery from fatal errors, live-edge tracking for a "back to live" control and
// manual rendition choice. Exposes window.__player = { hls, video, player } for tests and debugging.
import { LatencyMode } from './enums.js';

/** @typedef {import('hls.js').default} Hls */
/** @typedef {import('hls.js').HlsConfig} HlsConfig */
/** @typedef {import('hls.js').ErrorData} HlsErrorData */

const NATIVE_HLS_TYPE = 'application/vnd.apple.mpegurl';
/**
 * hls.js settings per latency mode (enums.js: default, high latency, small latency).
 * LL modes follow the playlist's PART-HOLD-BACK; a player that stalled catches up by playing
 * slightly faster (hls.js only does so near the edge, never after a deliberate seek back).
 */
/** @param {number} latencyMode @returns {Partial<HlsConfig>} */
export function hlsConfigFor(latencyMode) {
  const common = { backBufferLength: 90 };
  if (latencyMode === LatencyMode.HIGH) return { ...common, lowLatencyMode: false, liveSyncDurationCount: 3, maxLiveSyncPlaybackRate: 1.1 };
  if (latencyMode === LatencyMode.SMALL) return { ...common, lowLatencyMode: true, maxLiveSyncPlaybackRate: 1.5 };
  return { ...common, lowLatencyMode: true, maxLiveSyncPlaybackRate: 1.25 };
}
/** Segment length of our packager; used when the playlist's own target duration is unknown (native HLS). */
const DEFAULT_TARGET_DURATION = 2;
/** The viewer is "behind" beyond this many target durations from the live sync position. */
const BEHIND_TARGET_DURATIONS = 3;
const MAX_NETWORK_RETRIES = 6;
const MAX_MEDIA_RECOVERIES = 3;
const MEDIA_RECOVERY_WINDOW_MS = 10_000;
const EDGE_CHECK_INTERVAL_MS = 500;

/**
 * 'hls.js', 'native', or null when this browser cannot play HLS at all.
 * @param {HTMLMediaElement} video
 * @returns {'hls.js' | 'native' | null}
 */
export function playbackSupport(video) {
  if (window.Hls?.isSupported()) return 'hls.js';
  if (video.canPlayType(NATIVE_HLS_TYPE)) return 'native';
  return null;
}

/**
 * @typedef {object} PlayerOptions
 * @property {boolean} [live]
 * @property {number} [latencyMode] one of enums.js' LatencyMode
 * @property {(behind: boolean) => void} [onEdge]
 * @property {(levels: LivePlayer['levels']) => void} [onLevels]
 * @property {(index: number, auto: boolean) => void} [onLevelSwitch]
 * @property {(message: string) => void} [onFailure]
 * @property {() => void} [onAutoplayBlocked]
 */

export class LivePlayer {
  /** @type {HTMLVideoElement} */
  #video;
  /** @type {boolean} */
  #live;
  /** @type {number} */
  #latencyMode;
  /** @type {Omit<PlayerOptions, 'live' | 'latencyMode'>} */
  #handlers;
  /** @type {string | null} */
  #url = null;
  /** @type {Hls | null} */
  #hls = null;
  /** @type {'hls.js' | 'native' | null} */
  #mode = null;
  /** @type {boolean | null} */
  #behind = null;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  #edgeTimer;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #retryTimer;
  #networkRetries = 0;
  #mediaRecoveries = 0;
  #lastMediaError = 0;
  #autoplayedOnce = false;
  /** @type {Array<() => void>} */
  #cleanups = [];

  /**
   * `options.live`: track the live edge (false for on-demand playback).
   * Handlers: onEdge(behind: boolean), onLevels(levels), onLevelSwitch(index, auto),
   * onFailure(message) (recovery gave up; the player is stopped), onAutoplayBlocked().
   * @param {HTMLVideoElement} video
   * @param {PlayerOptions} [options]
   */
  constructor(video, { live = true, latencyMode = LatencyMode.DEFAULT, ...handlers } = {}) {
    this.#video = video;
    this.#live = live;
    this.#latencyMode = latencyMode;
    this.#handlers = handlers;
    this.#publish();
  }

  get video() { return this.#video; }
  get hls() { return this.#hls; }
  get url() { return this.#url; }
  get mode() { return this.#mode; }
  get active() { return this.#url !== null; }
  /** null until the position is known, then whether the viewer is behind the live edge. */
  get behindLive() { return this.#behind; }

  /** Renditions of the stream: [{ index, height, width, bitrate }] (empty with native HLS). */
  get levels() {
    return (this.#hls?.levels ?? []).map((level, index) => ({
      index, height: level.height, width: level.width, bitrate: level.bitrate,
    }));
  }

  /** Index of the rendition being played (-1 when unknown). */
  get currentLevel() { return this.#hls?.currentLevel ?? -1; }
  get autoLevel() { return this.#hls?.autoLevelEnabled ?? true; }

  /** Forces a rendition by its index in `levels`, or -1 for automatic (ABR) choice. */
  setLevel(/** @type {number} */ index) {
    if (this.#hls) this.#hls.currentLevel = index;
  }

  load(/** @type {string} */ url) {
    this.destroy();
    this.#url = url;
    this.#networkRetries = 0;
    this.#mediaRecoveries = 0;
    this.#mode = playbackSupport(this.#video);
    if (this.#mode === 'hls.js') this.#createHls();
    else if (this.#mode === 'native') this.#loadNative();
    else {
      this.#url = null;
      this.#handlers.onFailure?.('This browser cannot play HLS streams.');
      return;
    }
    this.#startEdgeTracking();
    this.#publish();
  }

  /** Stops playback and releases the media element. */
  destroy() {
    clearTimeout(this.#retryTimer);
    clearInterval(this.#edgeTimer);
    this.#retryTimer = undefined;
    this.#edgeTimer = undefined;
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.#destroyHls();
    if (this.#mode === 'native') {
      this.#video.removeAttribute('src');
      this.#video.load();
    }
    this.#video.pause();
    this.#url = null;
    this.#mode = null;
    this.#behind = null;
    this.#publish();
  }

  /** Seconds between the playhead and the live sync position (null when unknown). */
  distanceFromLive() {
    const sync = this.#liveSyncPosition();
    if (sync === null || this.#video.readyState === 0) return null;
    return sync - this.#video.currentTime;
  }

  /** Jumps to the live sync position and resumes playback. */
  goLive() {
    const sync = this.#liveSyncPosition();
    if (sync === null) return;
    this.#video.currentTime = sync;
    if (this.#video.paused) this.#video.play().catch(() => {});
    this.#checkEdge();
  }

  // ---- hls.js ----------------------------------------------------------------------------------

  #createHls() {
    const { Hls } = window;
    const hls = new Hls(hlsConfigFor(this.#latencyMode));
    this.#hls = hls;
    hls.on(Hls.Events.MEDIA_ATTACHED, () => { if (this.#url) hls.loadSource(this.#url); });
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      this.#handlers.onLevels?.(this.levels);
      this.#autoplay();
    });
    hls.on(Hls.Events.LEVEL_SWITCHED, (_event, data) => this.#handlers.onLevelSwitch?.(data.level, hls.autoLevelEnabled));
    hls.on(Hls.Events.FRAG_LOADED, () => { this.#networkRetries = 0; });
    hls.on(Hls.Events.ERROR, (_event, data) => this.#onHlsError(hls, data));
    hls.attachMedia(this.#video);
  }

  #destroyHls() {
    if (!this.#hls) return;
    this.#hls.destroy();
    this.#hls = null;
  }

  /** @param {Hls} hls @param {HlsErrorData} data */
  #onHlsError(hls, data) {
    if (hls !== this.#hls || !data.fatal) return;
    const { ErrorTypes } = window.Hls;
    if (data.type === ErrorTypes.NETWORK_ERROR) {
      if (this.#networkRetries >= MAX_NETWORK_RETRIES) {
        this.#fail(`The stream could not be loaded (${data.details}).`);
        return;
      }
      const attempt = ++this.#networkRetries;
      const delay = Math.min(1000 * 2 ** (attempt - 1), 8000);
      console.warn(`hls.js network error (${data.details}), retry ${attempt}/${MAX_NETWORK_RETRIES} in ${delay} ms`);
      clearTimeout(this.#retryTimer);
      this.#retryTimer = setTimeout(() => {
        if (hls !== this.#hls) return;
        // Without a parsed manifest there is nothing to resume: start over with a fresh instance.
        if (hls.levels.length === 0) this.#recreateHls();
        else hls.startLoad();
      }, delay);
      return;
    }
    if (data.type === ErrorTypes.MEDIA_ERROR) {
      const now = performance.now();
      this.#mediaRecoveries = now - this.#lastMediaError < MEDIA_RECOVERY_WINDOW_MS ? this.#mediaRecoveries + 1 : 1;
      this.#lastMediaError = now;
      if (this.#mediaRecoveries > MAX_MEDIA_RECOVERIES) {
        this.#fail(`The stream could not be decoded (${data.details}).`);
        return;
      }
      console.warn(`hls.js media error (${data.details}), recovering (${this.#mediaRecoveries}/${MAX_MEDIA_RECOVERIES})`);
      if (this.#mediaRecoveries === 2) hls.swapAudioCodec();
      hls.recoverMediaError();
      return;
    }
    this.#fail(`Playback failed (${data.details}).`);
  }

  #recreateHls() {
    this.#destroyHls();
    this.#createHls();
    this.#publish();
  }

  // ---- native HLS (Safari without MSE) ------------------------------------------------------------

  #loadNative() {
    const video = this.#video;
    const onError = () => {
      if (this.#networkRetries >= MAX_NETWORK_RETRIES) {
        this.#fail('The stream could not be loaded.');
        return;
      }
      const attempt = ++this.#networkRetries;
      clearTimeout(this.#retryTimer);
      this.#retryTimer = setTimeout(() => {
        if (!this.#url) return;
        video.src = this.#url;
        this.#autoplay();
      }, Math.min(1000 * 2 ** (attempt - 1), 8000));
    };
    const onPlaying = () => { this.#networkRetries = 0; };
    video.addEventListener('error', onError);
    video.addEventListener('playing', onPlaying);
    this.#cleanups.push(() => {
      video.removeEventListener('error', onError);
      video.removeEventListener('playing', onPlaying);
    });
    video.src = this.#url ?? '';
    this.#autoplay();
  }

  // ---- shared ----------------------------------------------------------------------------------

  /** Autoplay is only allowed muted: mute for the first start, keep the viewer's choice afterwards. */
  #autoplay() {
    const video = this.#video;
    if (!this.#autoplayedOnce) video.muted = true;
    this.#autoplayedOnce = true;
    video.play()?.catch((/** @type {unknown} */ error) => {
      if (!(error instanceof Error) || error.name !== 'NotAllowedError') return; // e.g. AbortError: a newer load or a pause came first
      if (!video.muted) {
        video.muted = true;
        video.play().catch(() => this.#handlers.onAutoplayBlocked?.());
      } else {
        this.#handlers.onAutoplayBlocked?.();
      }
    });
  }

  #fail(/** @type {string} */ message) {
    console.error(message);
    this.destroy();
    this.#handlers.onFailure?.(message);
  }

  #liveSyncPosition() {
    if (this.#hls) return this.#hls.liveSyncPosition ?? null;
    const seekable = this.#video.seekable;
    if (!seekable?.length) return null;
    // Native players hold back about three target durations from the end of the playlist.
    return seekable.end(seekable.length - 1) - 3 * DEFAULT_TARGET_DURATION;
  }

  #targetDuration() {
    const hls = this.#hls;
    const details = hls?.latestLevelDetails ?? hls?.levels?.[hls.currentLevel]?.details;
    return details?.targetduration || DEFAULT_TARGET_DURATION;
  }

  #checkEdge() {
    const distance = this.distanceFromLive();
    if (distance === null) return;
    const behind = distance > BEHIND_TARGET_DURATIONS * this.#targetDuration();
    if (behind === this.#behind) return;
    this.#behind = behind;
    this.#handlers.onEdge?.(behind);
  }

  #startEdgeTracking() {
    if (!this.#live) return;
    const check = () => this.#checkEdge();
    this.#edgeTimer = setInterval(check, EDGE_CHECK_INTERVAL_MS);
    for (const type of ['timeupdate', 'seeked', 'pause', 'play']) this.#video.addEventListener(type, check);
    this.#cleanups.push(() => {
      for (const type of ['timeupdate', 'seeked', 'pause', 'play']) this.#video.removeEventListener(type, check);
    });
  }

  /**
   * A public debug handle, kept stable: `window.__player = { hls, video, player }` (the hls.js
   * instance or null under native HLS, the <video>, this player). Open the console on a watch page
   * to read `__player.hls.latency` or the levels; the browser tests read it the same way.
   */
  #publish() {
    window.__player = { hls: this.#hls, video: this.#video, player: this };
  }
}
