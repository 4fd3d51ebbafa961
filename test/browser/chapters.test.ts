// The watch page of a replay in Chromium: chapter markers split the progress bar at their
// timecodes; hovering it shows the chapter title and the storyboard frame of that position.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_PASSWORD, createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { launchChromium } from '../helpers/browser.ts';
import { makeReplay, waitForStoryboard } from '../helpers/replay.ts';

describe('chapters and storyboard on the watch page', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let replay: { id: number; shortUUID: string; duration: number };
  let admin: ApiClient;
  const pageErrors: string[] = [];

  before(async () => {
    server = await createTestServer({ TRANSCODING_LADDER: JSON.stringify([{ height: 360, videoBitrateKbps: 800 }]) });
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
    replay = (await makeReplay(server, admin, { name: 'Chaptered', description: '00:00 Intro\n00:04 Part two' })).video;
    await waitForStoryboard(admin, replay.id);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // The watch page the first three tests read (markers, hover, seek); none of them reloads it. Its
    // bar is ready once it uses the media's own duration.
    await page.goto(`${server.baseUrl}/w/${replay.shortUUID}`);
    await page.waitForFunction(() => {
      const video = document.querySelector<HTMLVideoElement>('#video');
      return video !== null && Number.isFinite(video.duration) && video.duration > 0 &&
        Number(document.querySelector<HTMLElement>('#progress')?.dataset.duration) === video.duration;
    }, undefined, { timeout: 20_000 });
  });

  after(async () => {
    await browser?.close();
    await server?.destroy();
  });

  const barBox = async () => (await page.locator('#progress').boundingBox())!;

  it('puts the chapter markers on the progress bar at their timecodes', async () => {
    await page.waitForSelector('#progress .chapter-marker', { timeout: 20_000 });
    // Once the media's own duration is known the bar uses it (before that, the API's rounded one).
    await page.waitForFunction(() => {
      const video = document.querySelector<HTMLVideoElement>('#video')!;
      return Number.isFinite(video.duration) && video.duration > 0 &&
        Number(document.querySelector<HTMLElement>('#progress')!.dataset.duration) === video.duration;
    }, undefined, { timeout: 20_000 });
    const duration = Number(await page.getAttribute('#progress', 'data-duration'));
    assert.ok(duration >= 4 && Math.abs(duration - replay.duration) <= 1.5, `bar duration ${duration}, video ${replay.duration}`);
    const markers = await page.$$eval('#progress .chapter-marker', (nodes) => nodes.map((node) => {
      const box = node.getBoundingClientRect();
      return { timecode: Number((node as HTMLElement).dataset.timecode), center: box.left + box.width / 2 };
    }));
    assert.deepEqual(markers.map((marker) => marker.timecode), [4], 'one split, at the second chapter');
    // The bar re-lays its markers when the media's exact duration arrives: measure once it settled.
    const placed = await page.waitForFunction(() => {
      const bar = document.querySelector<HTMLElement>('#progress')!;
      const marker = bar.querySelector<HTMLElement>('.chapter-marker');
      if (!marker) return false;
      const box = bar.getBoundingClientRect();
      const markerBox = marker.getBoundingClientRect();
      const expected = box.left + (4 / Number(bar.dataset.duration)) * box.width;
      const center = markerBox.left + markerBox.width / 2;
      return Math.abs(center - expected) <= 2 ? { center, expected } : false;
    }, undefined, { timeout: 5000, polling: 100 }).then((handle) => handle.jsonValue()).catch(() => undefined);
    const bar = await barBox();
    assert.ok(placed, `marker at ${markers[0].center}px, expected about ${bar.x + (4 / duration) * bar.width}px`);
  });

  it('shows the chapter title and the storyboard frame while hovering', async () => {
    const bar = await barBox();
    const duration = Number(await page.getAttribute('#progress', 'data-duration'));
    const y = bar.y + bar.height / 2;
    const hoverAt = async (seconds: number) => {
      await page.mouse.move(bar.x + (seconds / duration) * bar.width, y);
      await page.waitForSelector('#progress-tooltip:not([hidden])', { timeout: 5000 });
      return page.evaluate(() => {
        const preview = document.querySelector<HTMLElement>('#storyboard-preview')!;
        return {
          text: document.querySelector('#progress-tooltip')!.textContent ?? '',
          image: getComputedStyle(preview).backgroundImage,
          position: getComputedStyle(preview).backgroundPosition,
          visible: !preview.hidden && preview.offsetWidth > 0,
        };
      });
    };
    const early = await hoverAt(1.2);
    assert.match(early.text, /Intro/);
    assert.match(early.text, /0:01/);
    assert.ok(early.visible, 'the preview is shown');
    assert.match(early.image, /storyboard\.jpg/);
    const late = await hoverAt(Math.min(duration - 0.5, 5.5));
    assert.match(late.text, /Part two/);
    assert.match(late.image, /storyboard\.jpg/);
    assert.notEqual(late.position, early.position, `the frame changes (${early.position} → ${late.position})`);
    // The sprite really loads (same-origin media route, CSP allows it).
    const loaded = await page.evaluate(async (url) => {
      const image = new Image();
      image.src = url;
      await image.decode();
      return image.naturalWidth;
    }, early.image.replace(/^url\("?|"?\)$/g, ''));
    assert.ok(loaded > 0);
    await page.mouse.move(0, 0);
    await page.waitForSelector('#progress-tooltip', { state: 'hidden', timeout: 5000 });
    assert.deepEqual(pageErrors, []);
  });

  it('seeks where the bar is clicked', async () => {
    const bar = await barBox();
    const duration = Number(await page.getAttribute('#progress', 'data-duration'));
    await page.mouse.click(bar.x + (4.5 / duration) * bar.width, bar.y + bar.height / 2);
    const time = await page.evaluate(() => document.querySelector<HTMLVideoElement>('#video')!.currentTime);
    assert.ok(Math.abs(time - 4.5) < 0.6, `currentTime ${time}`);
  });

  it('edits the chapters in the studio and shows the storyboard there', async () => {
    const studio = await browser.newPage();
    studio.on('pageerror', (error) => pageErrors.push(error.message));
    await studio.goto(`${server.baseUrl}/studio#live=${replay.shortUUID}`);
    await studio.fill('#login-username', 'root');
    await studio.fill('#login-password', ADMIN_PASSWORD);
    await studio.click('#login-submit');
    await studio.waitForFunction(() => document.querySelectorAll('#chapter-rows .chapter-row').length === 2, undefined, { timeout: 15_000 });
    await studio.waitForFunction(() => /Storyboard ready/.test(document.querySelector('#storyboard-status')?.textContent ?? ''), undefined, { timeout: 15_000 });
    await studio.click('#chapter-add');
    const rows = studio.locator('#chapter-rows .chapter-row');
    await rows.nth(2).locator('.chapter-time').fill('00:06');
    await rows.nth(2).locator('.chapter-title').fill('Outro');
    await rows.nth(0).locator('button').click();
    await studio.click('#chapters-save');
    await studio.waitForFunction(() => /saved/.test(document.querySelector('#chapters-message')?.textContent ?? ''), undefined, { timeout: 10_000 });
    const saved = (await admin.get(`/api/v1/videos/${replay.id}/chapters`)).body.chapters;
    assert.deepEqual(saved, [{ timecode: 4, title: 'Part two' }, { timecode: 6, title: 'Outro' }]);
    assert.deepEqual(pageErrors, []);
    await studio.close();
  });
});
