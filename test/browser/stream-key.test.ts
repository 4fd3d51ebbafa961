// The studio's "Regenerate stream key" button (issue 9): it asks for confirmation, does nothing when
// the streamer declines, and otherwise shows the new key, the one the server now holds.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createTestServer, ADMIN_PASSWORD, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { launchChromium } from '../helpers/browser.ts';

describe('studio: regenerate the stream key', () => {
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

  it('asks first, then shows the new key', async () => {
    const admin = await ApiClient.asAdmin(server.baseUrl);
    const live = await admin.createLive({ name: 'Key rotation' });
    const page = await browser.newPage();
    await page.goto(`${server.baseUrl}/studio#live=${live.shortUUID}`);
    await page.fill('#login-username', 'root');
    await page.fill('#login-password', ADMIN_PASSWORD);
    await page.click('#login-submit');
    await page.waitForFunction((key) => (document.querySelector('#obs-key') as HTMLInputElement | null)?.value === key, live.streamKey, { timeout: 15_000 });

    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.click('#regenerate-key');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal((await admin.get(`/api/v1/videos/live/${live.id}`)).body.streamKey, live.streamKey, 'declined: the key stays');

    page.once('dialog', (dialog) => {
      assert.match(dialog.message(), /stops working/);
      void dialog.accept();
    });
    await page.click('#regenerate-key');
    await page.waitForFunction((key) => {
      const value = (document.querySelector('#obs-key') as HTMLInputElement | null)?.value;
      return value !== undefined && value !== '' && value !== key;
    }, live.streamKey, { timeout: 10_000 });
    const fresh = (await admin.get(`/api/v1/videos/live/${live.id}`)).body.streamKey;
    assert.notEqual(fresh, live.streamKey);
    assert.equal(await page.inputValue('#obs-key'), fresh);
    assert.match(await page.textContent('#regenerate-key-message') ?? '', /New stream key/);
  });
});
