// The watch page of protected replays in Chromium: a password-protected one asks for its password
// (a wrong one shows an error, the right one plays, every media request carrying the file token);
// a private one plays for its logged-in owner. The progress bar of a password-protected replay asks
// for the storyboard with the password and loads the sprite with the file token.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { launchChromium } from '../helpers/browser.ts';
import { makeReplay } from '../helpers/replay.ts';
import { waitFor } from '../helpers/wait.ts';

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
    // The storyboard job has run: listed to a viewer who only has the password.
    await waitFor('the storyboard', async () => {
      const response = await fetch(`${server.baseUrl}/api/v1/videos/${video.id}/storyboards`, { headers: { 'x-peertube-video-password': 'open-sesame' } });
      const body = await response.json() as { storyboards?: unknown[] };
      return response.status === 200 && body.storyboards?.length ? body : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    const anonymous = await fetch(`${server.baseUrl}/api/v1/videos/${video.id}/storyboards`);
    assert.equal(anonymous.status, 403, 'no storyboard without the password');
    const page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const mediaRequests: string[] = [];
    page.on('request', (request) => { if (request.url().includes('/static/streaming-playlists/')) mediaRequests.push(request.url()); });
    const sprites: Array<{ url: string; status: number }> = [];
    page.on('response', (response) => { if (/\/storyboard\.jpg/.test(response.url())) sprites.push({ url: response.url(), status: response.status() }); });
    const apiCalls: Array<{ url: string; password: string | undefined }> = [];
    page.on('request', (request) => {
      if (/\/api\/v1\/videos\/[^/]+\/(chapters|storyboards)$/.test(request.url())) apiCalls.push({ url: request.url(), password: request.headers()['x-peertube-video-password'] });
    });

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

    // The progress bar: chapters and storyboard asked with the password, the sprite shown on hover.
    await page.waitForSelector('#progress', { timeout: 10_000 });
    await page.waitForFunction(() => /storyboard\.jpg/.test(document.querySelector<HTMLElement>('#storyboard-preview')?.style.backgroundImage ?? ''),
      undefined, { timeout: 10_000 });
    assert.deepEqual(apiCalls.map((call) => call.password), ['open-sesame', 'open-sesame'], JSON.stringify(apiCalls));
    const bar = (await page.locator('#progress').boundingBox())!;
    await page.mouse.move(bar.x + bar.width * 0.4, bar.y + bar.height / 2);
    await page.waitForSelector('#storyboard-preview:not([hidden])', { timeout: 5000 });
    const image = await page.evaluate(() => getComputedStyle(document.querySelector<HTMLElement>('#storyboard-preview')!).backgroundImage);
    assert.match(image, /storyboard\.jpg\?videoFileToken=/);
    await waitFor('the sprite to load', async () => sprites.length ? sprites : undefined, { timeoutMs: 10_000, intervalMs: 100 });
    assert.ok(sprites.every((sprite) => sprite.status === 200 && new URL(sprite.url).searchParams.get('videoFileToken')), JSON.stringify(sprites));
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  it('the studio offers every privacy and sets the password of a password-protected live', async () => {
    const context = await browser.newContext();
    await context.addInitScript((token) => {
      localStorage.setItem('livecast.auth', JSON.stringify({ accessToken: token, refreshToken: null, expiresAt: Date.now() + 3_600_000 }));
    }, admin.token!);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.baseUrl}/studio`);
    await page.waitForSelector('#create-form', { state: 'visible', timeout: 15_000 });
    const labels = (selector: string) => page.$$eval(`${selector} option`, (options) => options.map((option) => option.textContent));
    const all = ['Public', 'Unlisted', 'Private', 'Internal', 'Password protected'];
    for (const select of ['#create-privacy', '#edit-privacy', '#create-replay-privacy', '#edit-replay-privacy']) assert.deepEqual(await labels(select), all, select);

    assert.equal(await page.isVisible('#create-password'), false);
    await page.fill('#create-name', 'Studio secret');
    await page.selectOption('#create-privacy', '5');
    assert.equal(await page.isVisible('#create-password'), true);
    assert.equal(await page.$eval('#create-password', (input) => (input as HTMLInputElement).required), true);
    await page.selectOption('#create-privacy', '1');
    assert.equal(await page.isVisible('#create-password'), false);
    await page.check('#create-save-replay');
    await page.selectOption('#create-replay-privacy', '5');
    assert.equal(await page.isVisible('#create-password'), true, 'a password-protected replay needs it too');
    await page.selectOption('#create-privacy', '5');
    await page.fill('#create-password', 'studio-pass');
    await page.click('#create-submit');
    await page.waitForFunction(() => location.hash.startsWith('#live='), undefined, { timeout: 15_000 });
    const ref = decodeURIComponent(await page.evaluate(() => location.hash.slice('#live='.length)));
    const url = `${server.baseUrl}/api/v1/videos/${ref}`;
    assert.equal(((await (await fetch(url)).json()) as { code: string }).code, 'video_requires_password');
    assert.equal((await fetch(url, { headers: { 'x-peertube-video-password': 'studio-pass' } })).status, 200);
    assert.equal((await admin.get(`/api/v1/videos/live/${ref}`)).body.replaySettings.privacy, 5);

    // Edit: already protected, an empty field keeps the password; public, then protected again with a new one.
    await page.waitForFunction(() => (document.querySelector('#edit-privacy') as HTMLSelectElement).value === '5', undefined, { timeout: 10_000 });
    assert.equal(await page.isVisible('#edit-password'), true);
    assert.equal(await page.$eval('#edit-password', (input) => (input as HTMLInputElement).required), false);
    await page.selectOption('#edit-privacy', '1');
    await page.selectOption('#edit-replay-privacy', '1');
    assert.equal(await page.isVisible('#edit-password'), false);
    await page.click('#edit-submit');
    await page.waitForFunction(() => document.querySelector('#edit-message')?.textContent === 'Saved.', undefined, { timeout: 10_000 });
    assert.equal((await fetch(url)).status, 200);
    await page.selectOption('#edit-privacy', '5');
    assert.equal(await page.$eval('#edit-password', (input) => (input as HTMLInputElement).required), true);
    await page.fill('#edit-password', 'x');
    await page.click('#edit-submit');
    await page.waitForSelector('#edit-message:not([hidden])', { timeout: 10_000 });
    assert.match((await page.textContent('#edit-message')) ?? '', /2 to 100 characters|password/i, 'the API\'s error is shown');
    // The form shows again what the server holds (still public): protect it again.
    await page.waitForSelector('#edit-password', { state: 'hidden', timeout: 10_000 });
    await page.selectOption('#edit-privacy', '5');
    await page.fill('#edit-password', 'new-studio-pass');
    await page.click('#edit-submit');
    await page.waitForFunction(() => document.querySelector('#edit-message')?.textContent === 'Saved.', undefined, { timeout: 10_000 });
    assert.equal(((await (await fetch(url, { headers: { 'x-peertube-video-password': 'studio-pass' } })).json()) as { code: string }).code, 'incorrect_video_password');
    assert.equal((await fetch(url, { headers: { 'x-peertube-video-password': 'new-studio-pass' } })).status, 200);
    assert.deepEqual(pageErrors, []);
    await context.close();
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
