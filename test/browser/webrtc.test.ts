// WebRTC end to end in Chromium: a page publishes its (fake) camera over WHIP as OBS 30 would,
// the live goes on and its HLS decodes; a second page watches it over WHEP; DELETE ends it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { FAKE_MEDIA_ARGS, launchChromium } from '../helpers/browser.ts';
import { fetchText, probeVariant } from '../helpers/media.ts';
import { waitFor } from '../helpers/wait.ts';
import { scenario } from '../helpers/scenario.ts';

interface Exchange { status: number; location: string | null; contentType: string | null; body: string }

/** In the page: publish the fake camera + microphone with H.264 preferred; keeps the pc on window. */
async function whipPublish(page: Page, streamKey: string): Promise<Exchange> {
  return page.evaluate(async (key) => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 }, audio: true });
    const pc = new RTCPeerConnection();
    for (const track of stream.getTracks()) {
      const transceiver = pc.addTransceiver(track, { direction: 'sendonly' });
      if (track.kind === 'video') {
        const codecs = RTCRtpSender.getCapabilities('video')!.codecs;
        transceiver.setCodecPreferences([
          ...codecs.filter((codec) => codec.mimeType === 'video/H264'),
          ...codecs.filter((codec) => codec.mimeType !== 'video/H264'),
        ]);
      }
    }
    await pc.setLocalDescription(await pc.createOffer());
    // No trickle (like OBS): every candidate goes in the offer.
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve(); });
      setTimeout(resolve, 3000);
    });
    const response = await fetch('/api/v1/whip', {
      method: 'POST',
      headers: { 'content-type': 'application/sdp', authorization: `Bearer ${key}` },
      body: pc.localDescription!.sdp,
    });
    const body = await response.text();
    const location = response.headers.get('location');
    if (response.status === 201) {
      await pc.setRemoteDescription({ type: 'answer', sdp: body });
      (window as unknown as { whip: unknown }).whip = { pc, location };
    } else {
      pc.close();
    }
    return { status: response.status, location, contentType: response.headers.get('content-type'), body };
  }, streamKey);
}

/** In the page: a WHEP viewer (recvonly video + audio) playing into a <video>. */
async function whepPlay(page: Page, videoId: number): Promise<Exchange> {
  return page.evaluate(async (id) => {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    video.playsInline = true;
    document.body.append(video);
    const stream = new MediaStream();
    video.srcObject = stream;
    pc.addEventListener('track', (event) => stream.addTrack(event.track));
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve(); });
      setTimeout(resolve, 3000);
    });
    const response = await fetch(`/api/v1/videos/${id}/whep`, {
      method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription!.sdp,
    });
    const body = await response.text();
    if (response.status === 201) await pc.setRemoteDescription({ type: 'answer', sdp: body });
    (window as unknown as { whep: unknown }).whep = { pc, video, location: response.headers.get('location') };
    return { status: response.status, location: response.headers.get('location'), contentType: response.headers.get('content-type'), body };
  }, videoId);
}

const playback = (page: Page) => page.evaluate(() => {
  const { video } = (window as unknown as { whep: { video: HTMLVideoElement } }).whep;
  return { time: video.currentTime, frames: video.getVideoPlaybackQuality().totalVideoFrames, width: video.videoWidth, height: video.videoHeight };
});

describe('WHIP ingest and WHEP playback in Chromium', () => {
  let server: TestServer;
  let admin: ApiClient;
  let browser: Browser;
  let publisherPage: Page;
  let viewerPage: Page;
  let live: Awaited<ReturnType<ApiClient['createLive']>>;
  let whipLocation: string;
  let offer: string;

  const videoOf = async (id: number) => (await admin.get(`/api/v1/videos/${id}`)).body;
  const postSdp = (path: string, sdp: string, token?: string) => fetch(`${server.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: sdp,
  });

  before(async () => {
    server = await createTestServer();
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
    live = await admin.createLive({ name: 'WebRTC live', saveReplay: false });
    browser = await launchChromium(FAKE_MEDIA_ARGS);
    // Any page of the server: same origin for fetch, and 127.0.0.1 is a secure context for getUserMedia.
    publisherPage = await browser.newPage();
    await publisherPage.goto(`${server.baseUrl}/api/v1/config`);
    viewerPage = await browser.newPage();
    await viewerPage.goto(`${server.baseUrl}/api/v1/config`);
    offer = await publisherPage.evaluate(async () => {
      const pc = new RTCPeerConnection();
      const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
      for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly' });
      await pc.setLocalDescription(await pc.createOffer());
      const sdp = pc.localDescription!.sdp;
      pc.close();
      for (const track of stream.getTracks()) track.stop();
      return sdp;
    });
  });

  after(async () => {
    await browser?.close();
    await server?.destroy();
  });

  it('refuses a missing or wrong bearer token with 401 and a log line, and bad SDP with 400', async () => {
    const missing = await postSdp('/api/v1/whip', offer);
    assert.equal(missing.status, 401);
    assert.match((await missing.json()).detail, /stream key/);
    const wrong = await postSdp('/api/v1/whip', offer, '6f1c1c8e-9a1b-4d3c-8f00-000000000000');
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.match((await wrong.json()).detail, /stream key/);
    assert.match(server.output(), /refused WHIP publish from 127\.0\.0\.1: unknown stream key/);
    // A live of its own, idle: the scenario's live below may be on air or over when this runs.
    const idle = await admin.createLive({ name: 'Idle WebRTC live', saveReplay: false });
    const garbage = await postSdp('/api/v1/whip', 'hello', idle.streamKey);
    assert.equal(garbage.status, 400);
    const json = await fetch(`${server.baseUrl}/api/v1/whip`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${idle.streamKey}` }, body: '{}',
    });
    assert.equal(json.status, 415, 'only application/sdp bodies');
  });

  it('documents both endpoints in the OpenAPI document with SDP bodies', async () => {
    const paths = (await admin.get('/api/v1/openapi.json')).body.paths;
    assert.ok(paths['/api/v1/whip'].post.requestBody.content['application/sdp'], 'WHIP takes application/sdp');
    assert.ok(paths['/api/v1/videos/{id}/whep'].post.requestBody.content['application/sdp'], 'WHEP takes application/sdp');
    assert.ok(paths['/api/v1/whip/{sessionId}'].delete);
  });

  it('answers WHEP with 404 while the video is not live', async () => {
    const waiting = await admin.createLive({ name: 'Not yet live', saveReplay: false });
    assert.equal((await postSdp(`/api/v1/videos/${waiting.id}/whep`, offer)).status, 404);
  });

  // One WHIP live from its publish to its end: each step works on what the previous one left.
  const whipLive = scenario('a WHIP live, published, played over WHEP, then ended by its publisher');

  whipLive.step('publishes the fake camera over WHIP: 201 with an answer and a Location, then the live is published and its HLS decodes', async () => {
    const startedAt = Date.now();
    const exchange = await whipPublish(publisherPage, live.streamKey);
    assert.equal(exchange.status, 201, exchange.body);
    assert.equal(exchange.contentType, 'application/sdp');
    assert.equal(exchange.location?.startsWith(`${server.baseUrl}/api/v1/whip/`), true, `Location ${exchange.location}`);
    assert.match(exchange.body, /^v=0\r\n/);
    whipLocation = exchange.location!;

    const video = await waitFor('the WHIP live to be published', async () => {
      const current = await videoOf(live.id);
      return current.state.id === 1 && current.streamingPlaylists.length > 0 ? current : undefined;
    }, { timeoutMs: 30_000, intervalMs: 250 });
    console.log(`# WHIP live published ${Date.now() - startedAt} ms after the offer`);
    const masterUrl = `${server.baseUrl}${video.streamingPlaylists[0].playlistUrl}`;
    const variant = (await fetchText(masterUrl)).split('\n').find((line) => line && !line.startsWith('#'))!;
    const streams = await waitFor('a decodable HLS segment', () => probeVariant(new URL(variant, masterUrl).href), { timeoutMs: 15_000, intervalMs: 500 });
    assert.equal(streams.find((stream) => stream.codec_type === 'video')?.codec_name, 'h264');
    assert.equal(streams.find((stream) => stream.codec_type === 'audio')?.codec_name, 'aac');
    assert.match(server.output(), /started over whip from 127\.0\.0\.1/);
  });

  whipLive.step('refuses a second WHIP publisher on the busy key with 409', async () => {
    const busy = await postSdp('/api/v1/whip', offer, live.streamKey);
    assert.equal(busy.status, 409);
    assert.match((await busy.json()).detail, /already has a publisher/);
  });

  whipLive.step('plays the live over WHEP: the video time advances and frames decode', async () => {
    const startedAt = Date.now();
    const firstFrame = async () => {
      const exchange = await whepPlay(viewerPage, live.id);
      assert.equal(exchange.status, 201, exchange.body);
      assert.equal(exchange.location?.startsWith(`${server.baseUrl}/api/v1/videos/${live.id}/whep/`), true, `Location ${exchange.location}`);
      await viewerPage.waitForFunction(() => {
        const { video } = (window as unknown as { whep: { video: HTMLVideoElement } }).whep;
        return video.currentTime > 0 && video.readyState >= 2;
      }, undefined, { timeout: 15_000, polling: 100 });
    };
    try {
      await firstFrame();
    } catch (error) {
      // Seen once in six full-suite runs (never alone): the session was closed before any frame.
      // A WHEP player retries a failed session; so does this test, once, and prints what the
      // server said so that the cause can be found (tracked in the closing note).
      const whepLines = server.output().split('\n').filter((line) => /whep|WHEP/.test(line)).slice(-15).join('\n');
      console.log(`# WHEP first attempt failed (${(error as Error).message.split('\n')[0]}); server said:\n${whepLines.replace(/^/gm, '# ')}`);
      await firstFrame();
    }
    console.log(`# WHEP first frame ${Date.now() - startedAt} ms after the offer`);
    const first = await playback(viewerPage);
    await viewerPage.waitForFunction((from) => {
      const { video } = (window as unknown as { whep: { video: HTMLVideoElement } }).whep;
      return video.currentTime > from.time + 1.5 && video.getVideoPlaybackQuality().totalVideoFrames > from.frames + 20;
    }, first, { timeout: 15_000, polling: 250 });
    const later = await playback(viewerPage);
    assert.ok(later.height > 0 && later.height <= 720, `WHEP picture ${later.width}x${later.height}`);
  });

  whipLive.step('stops the WHEP encoder when its last viewer leaves (DELETE)', async () => {
    const location = await viewerPage.evaluate(() => (window as unknown as { whep: { location: string } }).whep.location);
    const deleted = await fetch(location, { method: 'DELETE' });
    assert.equal(deleted.status, 200);
    await waitFor('the WHEP source to stop', () => /WHEP source of live \d+ stopping: no viewers left/.test(server.output()), { timeoutMs: 5000 });
    assert.equal((await fetch(location, { method: 'DELETE' })).status, 404);
  });

  whipLive.step('ends the live when the publisher DELETEs its WHIP session', async () => {
    // A viewer is attached again, to see that the end of the live takes it along.
    assert.equal((await whepPlay(viewerPage, live.id)).status, 201);
    const status = await publisherPage.evaluate(async ({ location, key }) => {
      const response = await fetch(location, { method: 'DELETE', headers: { authorization: `Bearer ${key}` } });
      (window as unknown as { whip: { pc: RTCPeerConnection } }).whip.pc.close();
      return response.status;
    }, { location: whipLocation, key: live.streamKey });
    assert.equal(status, 200);
    await waitFor('the live to end', async () => (await videoOf(live.id)).state.id === 5, { timeoutMs: 15_000 });
    assert.match(server.output(), /ended: the publisher ended the session \(DELETE\)/);
    await waitFor('the WHEP source to stop with the live', () => /WHEP source of live \d+ stopping: the live ended \(1 viewers\)/.test(server.output()), { timeoutMs: 5000 });
    assert.equal((await postSdp(`/api/v1/videos/${live.id}/whep`, offer)).status, 404, 'no WHEP once the live is over');
    assert.equal((await fetch(whipLocation, { method: 'DELETE' })).status, 404);
  });
});
