// A viewer in Chromium: the watch page waits, starts playing by itself when the streamer goes
// live (hls.js over our HLS), shows the viewer count, and shows "ended" without a reload.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { publish, type Publisher } from '../helpers/publisher.ts';
import { launchChromium } from '../helpers/browser.ts';
import { scenario } from '../helpers/scenario.ts';

describe('watch page in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let publisher: Publisher | undefined;
  let admin: ApiClient;
  let live: Awaited<ReturnType<ApiClient['createLive']>>;
  const pageErrors: string[] = [];

  before(async () => {
    server = await createTestServer();
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
    live = await admin.createLive({ name: 'Browser <b>live</b>' });
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  after(async () => {
    await publisher?.stop();
    await browser?.close();
    await server?.destroy();
  });

  // One viewer's page follows one live from waiting to ended: each step starts where the last one left it.
  const watching = scenario('a viewer follows a live on the watch page, from waiting to ended');

  watching.step('shows the live as waiting, with its title as plain text', async () => {
    await page.goto(`${server.baseUrl}/w/${live.shortUUID}`);
    await page.waitForFunction(() => document.body.dataset.state === 'waiting', undefined, { timeout: 15_000 });
    assert.equal(await page.textContent('#title'), 'Browser <b>live</b>');
  });

  watching.step('starts playing a 720p publish within 10 s without a reload, and the video time advances by more than 2 s', async () => {
    const startedAt = Date.now();
    publisher = publish(`rtmp://127.0.0.1:${server.rtmpPort}/live/${live.streamKey}`, { width: 1280, height: 720, seconds: 120 });
    await page.waitForFunction(() => document.body.dataset.state === 'playing', undefined, { timeout: 30_000 });
    await page.waitForFunction(() => {
      const video = document.querySelector<HTMLVideoElement>('#video');
      return video !== null && video.currentTime > 0 && video.readyState >= 2;
    }, undefined, { timeout: 30_000 });
    const firstFrameAfter = Date.now() - startedAt;
    console.log(`# first frame on screen ${firstFrameAfter} ms after the publisher started`);
    assert.ok(firstFrameAfter < 10_000, `playing after ${firstFrameAfter} ms`);
    const start = await page.evaluate(() => document.querySelector<HTMLVideoElement>('#video')!.currentTime);
    await page.waitForFunction((from) => document.querySelector<HTMLVideoElement>('#video')!.currentTime > from + 2,
      start, { timeout: 20_000, polling: 250 });
    const levels = await page.evaluate(() => (window as unknown as { __player: { hls: { levels: Array<{ height: number }> } } }).__player.hls.levels.map((level) => level.height));
    assert.deepEqual([...levels].sort((a, b) => b - a), [720, 480, 360]);
    const decoded = await page.evaluate(() => document.querySelector<HTMLVideoElement>('#video')!.getVideoPlaybackQuality().totalVideoFrames);
    assert.ok(decoded > 30, `frames were decoded (${decoded})`);
  });

  watching.step('counts this viewer', async () => {
    await page.waitForFunction(() => document.querySelector('#viewers')?.textContent?.trim() === '1', undefined, { timeout: 10_000 });
    assert.equal((await admin.get(`/api/v1/videos/${live.id}`)).body.viewers, 1);
  });

  watching.step('lists the live on the home page while it is on', async () => {
    const home = await browser.newPage();
    await home.goto(server.baseUrl);
    await home.waitForSelector(`#live-list a.video-card[data-video-id="${live.id}"]`, { timeout: 15_000 });
    await home.close();
  });

  watching.step('switches to "ended" without a reload when the streamer stops', async () => {
    await publisher!.stop();
    await page.waitForFunction(() => document.body.dataset.state === 'ended', undefined, { timeout: 30_000 });
    assert.match((await page.textContent('#state-banner')) ?? '', /ended/i);
    assert.deepEqual(pageErrors, []);
  });
});

describe('studio in Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    server = await createTestServer();
    await server.start();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.destroy();
  });

  it('logs in, creates a live and shows the OBS settings with the key only on request', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.baseUrl}/studio`);
    await page.fill('#login-username', 'root');
    await page.fill('#login-password', 'wrong-password');
    await page.click('#login-submit');
    await page.waitForFunction(() => (document.querySelector('#login-error')?.textContent ?? '').length > 0, undefined, { timeout: 10_000 });
    await page.fill('#login-password', 'admin-password-1');
    await page.click('#login-submit');
    await page.waitForFunction(() => document.body.dataset.auth === 'in', undefined, { timeout: 10_000 });

    await page.fill('#create-name', 'Studio made live');
    await page.click('#create-submit');
    await page.waitForFunction(() => (document.querySelector('#detail-title')?.textContent ?? '') === 'Studio made live', undefined, { timeout: 10_000 });

    const admin = await ApiClient.asAdmin(server.baseUrl);
    const mine = (await admin.get('/api/v1/users/me/videos?isLive=true')).body.data;
    const created = mine.find((video: { name: string }) => video.name === 'Studio made live');
    assert.ok(created, 'the live exists on the server');
    const settings = (await admin.get(`/api/v1/videos/live/${created.id}`)).body;
    assert.equal(await page.inputValue('#obs-server'), settings.rtmpUrl);
    assert.equal(await page.getAttribute('#obs-key', 'type'), 'password', 'the key is masked until asked for');
    await page.click('#show-key');
    assert.equal(await page.getAttribute('#obs-key', 'type'), 'text');
    assert.equal(await page.inputValue('#obs-key'), settings.streamKey);
  });
});
