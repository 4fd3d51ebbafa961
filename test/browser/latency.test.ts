// Low latency as a viewer sees it in Chromium with hls.js: the small-latency mode stays within
// 2.5 s of the live edge, every latency mode plays, and "back to live" works after a seek back.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { publish, type Publisher } from '../helpers/publisher.ts';
import { launchChromium } from '../helpers/browser.ts';
import { sleep } from '../helpers/wait.ts';

interface PlayerProbe { currentTime: number; latency: number | null; behind: boolean }

async function probe(page: Page): Promise<PlayerProbe> {
  return page.evaluate(() => {
    const player = (window as unknown as { __player: { hls: { latency: number } | null; video: HTMLVideoElement } }).__player;
    return {
      currentTime: player.video.currentTime,
      latency: player.hls ? player.hls.latency : null,
      behind: !document.querySelector<HTMLButtonElement>('#go-live')!.hidden,
    };
  });
}

/**
 * Opens the watch page of a live that is not on air yet, waits until it shows "waiting" (and a moment
 * for its /live-videos subscription), then starts the publisher and waits for playback: the viewer
 * this test is about was there first. (A page that subscribes after the live went on air can miss
 * the state change: a known race of the watch page, see the closing note of session 3.)
 */
async function openPlaying(browser: Browser, live: { url: string; start(): void }): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(live.url);
  await page.waitForFunction(() => document.body.dataset.state === 'waiting', undefined, { timeout: 20_000 });
  await sleep(1500);
  live.start();
  await page.waitForFunction(() => {
    const video = document.querySelector<HTMLVideoElement>('#video');
    return document.body.dataset.state === 'playing' && video !== null && video.currentTime > 0;
  }, undefined, { timeout: 40_000 });
  return page;
}

describe('latency in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let admin: ApiClient;
  const publishers: Publisher[] = [];

  before(async () => {
    // The acceptance set-up: one 720p rendition, libx264 veryfast with zerolatency.
    server = await createTestServer({ TRANSCODING_LADDER: JSON.stringify([{ height: 720, videoBitrateKbps: 2800 }]) });
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await Promise.all(publishers.map((publisher) => publisher.stop()));
    await server?.destroy();
  });

  async function startLive(latencyMode: number, width: number, height: number) {
    // One live at a time: an earlier test's publisher and 720p transcode, left running, took the CPU
    // this one needs on a 2-core machine (mode 1 once failed to start playing within its 40 s).
    await Promise.all(publishers.splice(0).map((publisher) => publisher.stop()));
    const live = await admin.createLive({ name: `Latency mode ${latencyMode}`, latencyMode });
    return {
      url: `${server.baseUrl}/w/${live.shortUUID}`,
      start: () => void publishers.push(publish(`rtmp://127.0.0.1:${server.rtmpPort}/live/${live.streamKey}`, { width, height, seconds: 180 })),
    };
  }

  it('small latency: hls.js sits within 2.5 s of the live edge after 20 s, and back-to-live returns there', async () => {
    const page = await openPlaying(browser, await startLive(3, 1280, 720));
    await sleep(20_000);
    const settled = await probe(page);
    console.log(`# hls.js latency after 20 s of playback: ${settled.latency?.toFixed(2)} s`);
    assert.ok(settled.latency !== null && settled.latency <= 2.5, `latency ${settled.latency}`);
    assert.equal(settled.behind, false, 'no back-to-live control at the edge');

    await page.evaluate(() => {
      const video = document.querySelector<HTMLVideoElement>('#video')!;
      video.currentTime = Math.max(0, video.currentTime - 8);
    });
    await page.waitForSelector('#go-live:not([hidden])', { timeout: 10_000 });
    await page.click('#go-live');
    await page.waitForFunction(() => {
      const hls = (window as unknown as { __player: { hls: { latency: number } } }).__player.hls;
      return hls.latency <= 3;
    }, undefined, { timeout: 10_000, polling: 200 });
    await page.waitForSelector('#go-live[hidden]', { state: 'attached', timeout: 10_000 });
    const back = await probe(page);
    console.log(`# after back-to-live: ${back.latency?.toFixed(2)} s from the edge`);
    await page.close();
  });

  for (const latencyMode of [1, 2]) {
    it(`plays latency mode ${latencyMode}`, async () => {
      const page = await openPlaying(browser, await startLive(latencyMode, 640, 360));
      const first = (await probe(page)).currentTime;
      await page.waitForFunction((from) => document.querySelector<HTMLVideoElement>('#video')!.currentTime > from + 2,
        first, { timeout: 30_000, polling: 250 });
      const lowLatency = await page.evaluate(() =>
        (window as unknown as { __player: { hls: { config: { lowLatencyMode: boolean } } } }).__player.hls.config.lowLatencyMode);
      assert.equal(lowLatency, latencyMode !== 2, 'the player settings follow the mode');
      await page.close();
    });
  }
});
