// The watch page of protected replays in Chromium: a password-protected one asks for its password
// (a wrong one shows an error, the right one plays, every media request carrying the file token);
// a private one plays for its logged-in owner.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { launchChromium } from '../helpers/browser.ts';
import { makeReplay } from '../helpers/replay.ts';

async function assertPlays(page: Page) {
  await page.waitForFunction(() => document.body.dataset.state === 'playing', undefined, { timeout: 30_000 });
  await page.waitForFunction(() => {
    const video = document.querySelector<HTMLVideoElement>('#video');
    return video !== null && video.currentTime > 0 && video.readyState >= 2;
  }, undefined, { timeout: 30_000 });
  const start = await page.evaluate(() => document.querySelector<HTMLVideoElement>('#video')!.currentTime);
  await page.waitForFunction((from) => document.querySelector<HTMLVideoElement>('#video')!.currentTime > from + 1,
    start, { timeout: 20_000, polling: 250 });
}

describe('protected videos on the watch page', () => {
  let server: TestServer;
  let browser: Browser;
  let admin: ApiClient;
  const pageErrors: string[] = [];

  before(async () => {
    server = await createTestServer({ TRANSCODING_LADDER: JSON.stringify([{ height: 360, videoBitrateKbps: 800 }, { height: 240, videoBitrateKbps: 400 }]) });
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.destroy();
  });

  it('asks the password of a password-protected replay, refuses a wrong one and plays with the right one', async () => {
    const { video } = await makeReplay(server, admin, { replaySettings: { privacy: 5 }, videoPasswords: ['open-sesame'] }, 6);
    const page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const mediaRequests: string[] = [];
    page.on('request', (request) => { if (request.url().includes('/static/streaming-playlists/')) mediaRequests.push(request.url()); });

    await page.goto(`${server.baseUrl}/w/${video.shortUUID}`);
    await page.waitForSelector('#password-form', { state: 'visible', timeout: 15_000 });
    assert.equal(await page.isHidden('#password-error'), true);
    await page.fill('#password-input', 'not-the-password');
    await page.click('#password-form button[type=submit]');
    await page.waitForSelector('#password-error', { state: 'visible', timeout: 10_000 });
    assert.match((await page.textContent('#password-error')) ?? '', /incorrect/i);
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'password');

    await page.fill('#password-input', 'open-sesame');
    await page.click('#password-form button[type=submit]');
    await assertPlays(page);
    assert.equal(await page.isVisible('#password-form'), false);
    assert.ok(mediaRequests.length >= 4, `media requests: ${mediaRequests.length}`);
    for (const url of mediaRequests) assert.ok(new URL(url).searchParams.get('videoFileToken'), `${url} carries the file token`);
    assert.ok(mediaRequests.some((url) => /seg-\d+\.m4s/.test(url)), 'segments too');
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  it('plays a private replay for its logged-in owner', async () => {
    const { video } = await makeReplay(server, admin, { replaySettings: { privacy: 3 } }, 6);
    const context = await browser.newContext();
    await context.addInitScript((token) => {
      localStorage.setItem('livecast.auth', JSON.stringify({ accessToken: token, refreshToken: null, expiresAt: Date.now() + 3_600_000 }));
    }, admin.token!);
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/w/${video.shortUUID}`);
    await assertPlays(page);
    await context.close();
  });
});
