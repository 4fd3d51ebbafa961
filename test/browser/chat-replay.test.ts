// The chat replay of a live's replay, in Chromium against the real server: messages said at known
// moments of a real (ffmpeg) live are shown on the replay's watch page in step with playback, and
// seeking back and forth hides and shows them again. A replay without chat shows no panel.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { launchChromium } from '../helpers/browser.ts';
import { connectChat, type ChatClient } from '../helpers/chat.ts';
import { publish, type Publisher } from '../helpers/publisher.ts';
import { makeReplay } from '../helpers/replay.ts';
import { sleep, waitFor } from '../helpers/wait.ts';

const SAID = ['first words', 'second words', 'third words'];
/** Seconds after the live is on air at which each message is said. */
const SAID_AT = [2, 7, 12];
const LIVE_SECONDS = 17;

interface Said { text: string; offsetSeconds: number }

/** The texts the replay panel shows now. */
const shownTexts = (page: Page) => page.locator('#chat .chat-message:not([hidden]) .chat-text').allTextContents();

/** Pauses the replay at `seconds` and waits for the seek to finish. */
async function seek(page: Page, seconds: number) {
  await page.evaluate((time) => new Promise<void>((resolve) => {
    const video = document.querySelector<HTMLVideoElement>('#video')!;
    video.pause();
    video.addEventListener('seeked', () => resolve(), { once: true });
    video.currentTime = time;
  }), seconds);
}

describe('chat replay', () => {
  let server: TestServer;
  let browser: Browser;
  let publisher: Publisher | undefined;
  let viewer: ChatClient | undefined;
  let admin: ApiClient;
  let live: Awaited<ReturnType<ApiClient['createLive']>>;
  let said: Said[];
  const pageErrors: string[] = [];

  before(async () => {
    server = await createTestServer({ TRANSCODING_LADDER: JSON.stringify([{ height: 240, videoBitrateKbps: 300 }]) });
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
    live = await admin.createLive({ name: 'Replayed chat', saveReplay: true, replaySettings: { privacy: 1 } });
    viewer = await connectChat(server.baseUrl, { anonId: 'replay-test-viewer-0001' });
    await viewer.join(live.uuid);

    publisher = publish(`rtmp://127.0.0.1:${server.rtmpPort}/live/${live.streamKey}`, { width: 640, height: 360, seconds: 120 });
    await waitFor('the live on air', async () => (await admin.get(`/api/v1/videos/${live.id}`)).body.state.id === 1, { timeoutMs: 30_000, intervalMs: 250 });
    const onAir = Date.now();
    for (const [index, text] of SAID.entries()) {
      await sleep(onAir + SAID_AT[index] * 1000 - Date.now());
      const ack = await viewer.send(text);
      assert.ok(ack.ok, JSON.stringify(ack));
    }
    await sleep(onAir + LIVE_SECONDS * 1000 - Date.now());
    await publisher.stop();

    await waitFor('the replay', async () => {
      const current = (await admin.get(`/api/v1/videos/${live.id}`)).body;
      return !current.isLive && current.state.id === 1 && current.streamingPlaylists.length > 0;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    const response = await admin.get(`/api/v1/videos/${live.id}/chat/replay`);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const replay = response.body;
    said = replay.data.map((message: Said) => ({ text: message.text, offsetSeconds: message.offsetSeconds }));
    assert.deepEqual(said.map((message) => message.text), SAID, 'the server kept the messages in order');
    for (let index = 1; index < said.length; index++) {
      const gap = said[index].offsetSeconds - said[index - 1].offsetSeconds;
      assert.ok(gap > 3 && gap < 7, `offsets follow the moments they were said (${JSON.stringify(said)})`);
    }
    browser = await launchChromium();
  });

  after(async () => {
    viewer?.close();
    await publisher?.stop();
    await browser?.close();
    await server?.destroy();
  });

  it('shows the messages said before the playhead, following playback and seeks', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.baseUrl}/w/${live.shortUUID}`);
    await page.locator('#chat:not([hidden]) .chat-title', { hasText: 'Chat replay' }).waitFor({ timeout: 20_000 });
    await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>('#video')?.readyState ?? 0) >= 1, undefined, { timeout: 20_000 });
    const duration = await page.evaluate(() => document.querySelector<HTMLVideoElement>('#video')!.duration);
    const [first, second, third] = said.map((message) => message.offsetSeconds);
    assert.ok(third + 1 < duration, `the replay (${duration} s) lasts past the last message (${third} s)`);
    const expectedAt = (time: number) => said.filter((message) => message.offsetSeconds <= time).map((message) => message.text);

    for (const time of [(first + second) / 2, third + 0.5, Math.max(0, first - 1), (second + third) / 2]) {
      await seek(page, time);
      assert.deepEqual(await shownTexts(page), expectedAt(time), `at ${time.toFixed(1)} s`);
    }

    // Playing on from just before the second message: it appears once the playhead reaches it, not before.
    await seek(page, second - 1.5);
    assert.deepEqual(await shownTexts(page), expectedAt(second - 1.5));
    await page.evaluate(() => document.querySelector<HTMLVideoElement>('#video')!.play());
    const shownAt = await page.waitForFunction((text) => {
      const shown = Array.from(document.querySelectorAll('#chat .chat-message:not([hidden]) .chat-text'), (node) => node.textContent);
      return shown.includes(text) ? document.querySelector<HTMLVideoElement>('#video')!.currentTime : false;
    }, SAID[1], { timeout: 15_000, polling: 50 }).then((handle) => handle.jsonValue() as Promise<number>);
    assert.ok(shownAt >= second && shownAt < second + 1.5, `shown at ${shownAt} s for a message said at ${second} s`);
    assert.deepEqual(pageErrors, []);
  });

  it('shows no chat panel on a replay whose live had no chat', async () => {
    const { live: silent } = await makeReplay(server, admin, { name: 'Silent live' }, 5);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const replayAnswer = page.waitForResponse((response) => /\/api\/v1\/videos\/[^/]+\/chat\/replay/.test(response.url()), { timeout: 20_000 });
    await page.goto(`${server.baseUrl}/w/${silent.shortUUID}`);
    const answer = await replayAnswer;
    assert.equal(answer.status(), 200);
    assert.equal((await answer.json()).total, 0);
    await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>('#video')?.readyState ?? 0) >= 1, undefined, { timeout: 20_000 });
    assert.equal(await page.locator('#chat').isHidden(), true);
    assert.deepEqual(pageErrors, []);
  });
});
