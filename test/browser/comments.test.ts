// The watch page of an upload whose source was re-uploaded: "re-uploaded on", a view posted once
// playback starts, the comments listed as plain text, and the form for a logged-in user.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { launchChromium } from '../helpers/browser.ts';
import { makeClip, resumableUpload, waitPublished } from '../helpers/uploads.ts';
import { waitFor } from '../helpers/wait.ts';

const HTML_TEXT = '<img src=x onerror="window.pwned=1"><b>not bold</b>';

describe('comments, views and re-upload on the watch page', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let admin: ApiClient;
  let work: string;
  let video: { id: number; shortUUID: string };
  /** Another video with the same comment, that the logged-in test comments on (the anonymous one reads `video`'s). */
  let commented: { id: number; shortUUID: string };
  const pageErrors: string[] = [];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'livecast-comments-'));
    server = await createTestServer({ UPLOADS_ALLOW_REPLACE: 'true', TRANSCODING_LADDER: JSON.stringify([{ height: 240, videoBitrateKbps: 300 }]) });
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
    const channelId = (await admin.get('/api/v1/users/me')).body.videoChannels[0].id;
    const uploaded = await resumableUpload(server.baseUrl, admin.token, '/api/v1/videos/upload-resumable',
      { channelId, name: 'commented video', privacy: 1, filename: 'a.mp4' }, makeClip(join(work, 'a.mp4'), '320x240', 4));
    video = ((await uploaded.json()) as any).video;
    await waitPublished(admin, video.id);
    const replaced = await resumableUpload(server.baseUrl, admin.token, `/api/v1/videos/${video.id}/source/replace-resumable`,
      { filename: 'b.mp4' }, makeClip(join(work, 'b.mp4'), '320x240', 3));
    assert.equal(replaced.status, 204);
    // (waitFor takes null as an answer: ask for a boolean.)
    await waitFor('the replacement', async () => Boolean((await admin.get(`/api/v1/videos/${video.id}`)).body.inputFileUpdatedAt), { timeoutMs: 60_000 });
    assert.equal((await admin.post(`/api/v1/videos/${video.id}/comment-threads`, { text: HTML_TEXT })).status, 200);
    const other = await resumableUpload(server.baseUrl, admin.token, '/api/v1/videos/upload-resumable',
      { channelId, name: 'video to comment on', privacy: 1, filename: 'c.mp4' }, makeClip(join(work, 'c.mp4'), '320x240', 3));
    commented = ((await other.json()) as any).video;
    await waitPublished(admin, commented.id);
    assert.equal((await admin.post(`/api/v1/videos/${commented.id}/comment-threads`, { text: HTML_TEXT })).status, 200);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  after(async () => {
    await browser?.close();
    await server?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('anonymous: re-uploaded date, a view once playing, comments as text, no form', async () => {
    await page.goto(`${server.baseUrl}/w/${video.shortUUID}`);
    await page.waitForSelector('#reuploaded:not([hidden])', { timeout: 20_000 });
    assert.match(await page.textContent('#reuploaded') ?? '', /^re-uploaded on /);
    await page.waitForSelector('#comments .comment-body', { timeout: 20_000 });
    assert.equal(await page.textContent('#comments .comment-body'), HTML_TEXT);
    assert.equal(await page.locator('#comments .comment-body *').count(), 0, 'no element made from the text');
    assert.equal(await page.evaluate(() => (window as any).pwned), undefined);
    assert.equal(await page.locator('#comments .comment-form').isVisible(), false);
    assert.equal(await page.locator('#comments .comment-login').isVisible(), true);
    const views = await waitFor('a view', async () => (await admin.get(`/api/v1/videos/${video.id}`)).body.views >= 1, { timeoutMs: 30_000 });
    assert.ok(views);
    assert.deepEqual(pageErrors, []);
  });

  it('logged in: the form adds a comment', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.baseUrl}/w/${commented.shortUUID}`);
    await page.evaluate((token) => localStorage.setItem('livecast.auth', JSON.stringify({ accessToken: token, refreshToken: null, expiresAt: 0 })), admin.token!);
    await page.reload();
    await page.waitForSelector('#comments .comment-form:not([hidden])', { timeout: 20_000 });
    await page.fill('#comments .comment-form textarea', 'Nice one\nsecond line');
    await page.click('#comments .comment-form button[type=submit]');
    await page.waitForFunction(() => Array.from(document.querySelectorAll('#comments .comment-body'), (node) => node.textContent).includes('Nice one\nsecond line'), undefined, { timeout: 10_000 });
    const list = (await admin.get(`/api/v1/videos/${commented.id}/comment-threads`)).body;
    assert.equal(list.total, 2);
    assert.equal(list.data[0].text, 'Nice one\nsecond line');
    assert.deepEqual(pageErrors, []);
  });
});
