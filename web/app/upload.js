// Upload (/upload): sends a file with the tus protocol (resumable: a dropped connection retries and
// resumes where it stopped), then follows the processing by polling the video every 2 s and links
// to the watch page once it is published. `tus` is tus-js-client's browser bundle (window.tus).
import { ApiError, getMe, getTokens, getVideo, isLoggedIn } from './api.js';
import { $, el, setMessage, show } from './dom.js';
import { fillSelect, Privacy, PRIVACY_LABELS, VideoState } from './enums.js';
import { initLayout } from './layout.js';

const POLL_INTERVAL_MS = 2_000;

/** @param {HTMLProgressElement} bar @param {HTMLElement} label @param {number} percent */
function setPercent(bar, label, percent) {
  bar.value = percent;
  label.textContent = `${Math.floor(percent)} %`;
}

async function followProcessing(/** @type {number} */ videoId) {
  $('#status-title').textContent = 'Processing…';
  for (;;) {
    let video;
    try {
      video = await getVideo(videoId);
    } catch (error) {
      setMessage($('#status-message'), `Could not read the video's state: ${error instanceof Error ? error.message : error}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
      continue;
    }
    setPercent($('#processing-progress', HTMLProgressElement), $('#processing-percent'), video.processingProgress ?? 0);
    if (video.state.id === VideoState.PUBLISHED) {
      setPercent($('#processing-progress', HTMLProgressElement), $('#processing-percent'), 100);
      $('#status-title').textContent = 'Published';
      const link = $('#watch-link', HTMLAnchorElement);
      link.href = video.url;
      show(link, true);
      setMessage($('#status-message'), '');
      return;
    }
    if (video.state.id === VideoState.TRANSCODING_FAILED) {
      $('#status-title').textContent = 'Processing failed';
      setMessage($('#status-message'), video.error || video.state.label);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/** @param {File} file @param {{ name: string, channelId: string, privacy: string }} fields */
function startUpload(file, fields) {
  show($('#status-panel'), true);
  $('#upload-submit', HTMLButtonElement).disabled = true;
  const upload = new window.tus.Upload(file, {
    endpoint: '/api/v1/uploads/tus',
    chunkSize: 50 * 1024 * 1024,
    retryDelays: [0, 1000, 3000, 5000, 10000],
    metadata: { filename: file.name, filetype: file.type, ...fields },
    // The token may be refreshed during a long upload: read it at every request.
    onBeforeRequest: (req) => { req.setHeader('Authorization', `Bearer ${getTokens()?.accessToken ?? ''}`); },
    onProgress: (sent, total) => setPercent($('#upload-progress', HTMLProgressElement), $('#upload-percent'), total ? (sent / total) * 100 : 0),
    onError: (error) => {
      $('#upload-submit', HTMLButtonElement).disabled = false;
      const body = 'originalResponse' in error ? error.originalResponse?.getBody?.() : undefined;
      let detail = error.message;
      try { detail = JSON.parse(body ?? '').detail ?? detail; } catch { /* not JSON */ }
      $('#status-title').textContent = 'Upload failed';
      setMessage($('#status-message'), detail);
    },
    onSuccess: ({ lastResponse }) => {
      setPercent($('#upload-progress', HTMLProgressElement), $('#upload-percent'), 100);
      const { video } = JSON.parse(lastResponse.getBody());
      void followProcessing(video.id);
    },
  });
  // A previous attempt at the same file (same browser) resumes instead of starting over.
  upload.findPreviousUploads().then((previous) => {
    if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0]);
    upload.start();
  });
}

// An upload cannot be password protected here: its form has no password field.
const UPLOAD_PRIVACIES = [Privacy.PUBLIC, Privacy.UNLISTED, Privacy.PRIVATE, Privacy.INTERNAL];
fillSelect($('#upload-privacy', HTMLSelectElement), PRIVACY_LABELS, UPLOAD_PRIVACIES);

async function init() {
  await initLayout('Upload');
  if (!isLoggedIn()) return show($('#signed-out'), true);
  let me;
  try {
    me = await getMe();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return show($('#signed-out'), true);
    throw error;
  }
  show($('#upload-panel'), true);
  for (const channel of me.videoChannels ?? []) {
    $('#upload-channel', HTMLSelectElement).append(el('option', { value: String(channel.id) }, channel.displayName || channel.name));
  }
  $('#upload-file', HTMLInputElement).addEventListener('change', () => {
    const file = $('#upload-file', HTMLInputElement).files?.[0];
    if (file && !$('#upload-name', HTMLInputElement).value) $('#upload-name', HTMLInputElement).value = file.name.replace(/\.[^.]*$/, '').slice(0, 120);
  });
  $('#upload-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const file = $('#upload-file', HTMLInputElement).files?.[0];
    if (!file) return setMessage($('#upload-error'), 'Choose a video file.');
    setMessage($('#upload-error'), '');
    startUpload(file, { name: $('#upload-name', HTMLInputElement).value, channelId: $('#upload-channel', HTMLSelectElement).value, privacy: $('#upload-privacy', HTMLSelectElement).value });
  });
}

void init();
