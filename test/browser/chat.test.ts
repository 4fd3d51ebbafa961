// The live chat on the watch page, in Chromium against the real server: viewers (a user, an anonymous
// viewer) see each other's messages, hostile text stays text, a moderator deletes, bans, sets slow
// mode and registered-only mode, clears and times out from the panel, a password-protected live's chat
// takes the viewer's password, the OBS overlay shows the chat on a transparent page, and the panel
// rejoins after the server comes back.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { launchChromium } from '../helpers/browser.ts';
import { connectChat, type ChatClient } from '../helpers/chat.ts';
import { sleep } from '../helpers/wait.ts';
import { scenario } from '../helpers/scenario.ts';

const UI_TIMEOUT = { timeout: 10_000 };

/** The texts of the chat messages the page shows, in order. */
const shownTexts = (page: Page) => page.locator('#chat .chat-message:not([hidden]) .chat-text').allTextContents();

async function waitForText(page: Page, text: string) {
  await page.locator('#chat .chat-message .chat-text', { hasText: text }).first().waitFor(UI_TIMEOUT);
}

async function waitForGone(page: Page, text: string) {
  await page.waitForFunction((gone) => !Array.from(document.querySelectorAll('#chat .chat-text'), (node) => node.textContent).includes(gone),
    text, UI_TIMEOUT);
}

/** Types and sends with Enter, and waits for the server's answer (the button is disabled meanwhile). */
async function say(page: Page, text: string) {
  await page.fill('#chat .chat-input', text);
  await page.press('#chat .chat-input', 'Enter');
  await page.locator('#chat .chat-send:not([disabled])').or(page.locator('#chat .chat-input[disabled]')).first().waitFor(UI_TIMEOUT);
}

/** The status line once it says something matching `pattern`. */
async function statusMatching(page: Page, pattern: RegExp) {
  await page.waitForFunction((source) => new RegExp(source, 'i').test(document.querySelector('#chat .chat-status:not([hidden])')?.textContent ?? ''),
    pattern.source, UI_TIMEOUT);
  return (await page.textContent('#chat .chat-status')) ?? '';
}

/** Clicks one of the moderation buttons of the message showing `text`. */
async function moderate(page: Page, text: string, action: 'Delete' | 'Timeout' | 'Ban') {
  const message = page.locator('#chat .chat-message', { has: page.locator('.chat-text', { hasText: text }) }).first();
  await message.hover();
  await message.locator('.chat-action', { hasText: action }).click();
}

describe('live chat on the watch page', () => {
  let server: TestServer;
  let browser: Browser;
  let admin: ApiClient;
  let live: Awaited<ReturnType<ApiClient['createLive']>>;
  const contexts: BrowserContext[] = [];
  const sockets: ChatClient[] = [];
  const pageErrors: string[] = [];
  let alice: Page;
  let anon: Page;
  let moderator: Page;
  let bob: Page;
  /** An anonymous viewer who has not said anything yet (slow mode counts from one's last message). */
  let quiet: Page;
  let bobToken: string;

  async function userToken(username: string) {
    const created = await admin.post('/api/v1/users', { username, password: `${username}-password-1`, email: `${username}@example.org`, role: 2 });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const client = new ApiClient(server.baseUrl);
    assert.equal((await client.login(username, `${username}-password-1`)).status, 200);
    return client.token!;
  }

  let nextAddress = 1;
  /**
   * A watch page in its own browser context (own localStorage), logged in with `token` if given. Each
   * viewer comes from an address of its own (the server believes X-Forwarded-For from loopback), as
   * real viewers do: an account ban also holds the addresses the account chatted from.
   */
  async function watchPage(token?: string) {
    const context = await browser.newContext({
      viewport: { width: 1400, height: 900 },
      extraHTTPHeaders: { 'x-forwarded-for': `198.51.100.${nextAddress++}` },
    });
    contexts.push(context);
    if (token) {
      await context.addInitScript((accessToken) => {
        localStorage.setItem('livecast.auth', JSON.stringify({ accessToken, refreshToken: null, expiresAt: 0 }));
      }, token);
    }
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await openChat(page);
    return page;
  }

  async function openChat(page: Page) {
    await page.goto(`${server.baseUrl}/w/${live.shortUUID}`);
    await page.locator('#chat[data-state="joined"]').waitFor({ timeout: 20_000 });
  }

  before(async () => {
    server = await createTestServer();
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
    live = await admin.createLive({ name: 'Chatty live' });
    const [aliceToken, bobsToken] = [await userToken('alice'), await userToken('bob')];
    bobToken = bobsToken;
    browser = await launchChromium();
    alice = await watchPage(aliceToken);
    anon = await watchPage();
    moderator = await watchPage(admin.token);
    bob = await watchPage(bobToken);
  });

  after(async () => {
    for (const socket of sockets) socket.close();
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await server?.destroy();
  });

  // One room, the same viewers' pages all along: each step reads what the earlier ones said and set
  // (the history, a ban, the room's modes, the restart), so they are the steps of one scenario.
  const chatting = scenario('viewers and a moderator chat on one live\'s watch page');

  chatting.step('two viewers see each other\'s messages, with nicks and links', async () => {
    await say(alice, 'Hello from Alice');
    await waitForText(anon, 'Hello from Alice');
    assert.equal(await anon.locator('#chat .chat-message', { hasText: 'Hello from Alice' }).locator('.chat-nick').textContent(), 'alice');
    assert.equal(await alice.inputValue('#chat .chat-input'), '', 'the box is emptied once sent');

    await say(anon, 'Hi Alice, see https://example.org/path?q=1.');
    await waitForText(alice, 'Hi Alice, see');
    const link = alice.locator('#chat .chat-message a', { hasText: 'https://example.org/path?q=1' });
    assert.equal(await link.getAttribute('href'), 'https://example.org/path?q=1');
    assert.equal(await link.getAttribute('rel'), 'nofollow noopener noreferrer ugc');
    assert.equal(await link.getAttribute('target'), '_blank');
    const anonNick = await alice.locator('#chat .chat-message', { hasText: 'Hi Alice' }).locator('.chat-nick').textContent();
    assert.ok(anonNick && anonNick !== 'alice', `the anonymous viewer has a generated nick (${anonNick})`);
    const color = await alice.locator('#chat .chat-message', { hasText: 'Hi Alice' }).locator('.chat-nick').evaluate((node) => (node as HTMLElement).style.color);
    assert.ok(color, 'the nick has its author\'s colour');

    // The moderator's messages carry the badge; the viewers' do not.
    await say(moderator, 'Welcome everyone');
    await waitForText(alice, 'Welcome everyone');
    assert.equal(await alice.locator('#chat .chat-message', { hasText: 'Welcome everyone' }).locator('.chat-badge-mod').count(), 1);
    assert.equal(await alice.locator('#chat .chat-message', { hasText: 'Hello from Alice' }).locator('.chat-badge-mod').count(), 0);

    // A newcomer gets the history, oldest first.
    quiet = await watchPage();
    await waitForText(quiet, 'Welcome everyone');
    assert.deepEqual((await shownTexts(quiet)).slice(-3), ['Hello from Alice', 'Hi Alice, see https://example.org/path?q=1.', 'Welcome everyone']);
  });

  chatting.step('shows hostile text as text', async () => {
    const html = '<img src=x onerror="window.__pwned=1">';
    const script = 'javascript:window.__pwned=2 and data:text/html,<b>x</b>';
    await say(anon, html);
    await say(anon, script);
    await waitForText(alice, script);
    for (const page of [alice, anon, moderator]) {
      const texts = await shownTexts(page);
      assert.ok(texts.includes(html) && texts.includes(script), 'both shown verbatim');
      assert.equal(await page.locator('#chat .chat-text img, #chat .chat-text b').count(), 0, 'no element made from the text');
      assert.equal(await page.locator('#chat a[href^="javascript:"], #chat a[href^="data:"]').count(), 0, 'no link with another scheme');
      assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    }
  });

  chatting.step('a moderator deletes a message and it disappears for every viewer', async () => {
    await say(alice, 'This will be deleted');
    await waitForText(anon, 'This will be deleted');
    await waitForText(moderator, 'This will be deleted');
    // Viewers have no moderation buttons on others' messages.
    const anonMessage = anon.locator('#chat .chat-message', { hasText: 'This will be deleted' });
    assert.equal(await anonMessage.locator('.chat-action').count(), 0);
    await moderate(moderator, 'This will be deleted', 'Delete');
    await waitForGone(alice, 'This will be deleted');
    await waitForGone(anon, 'This will be deleted');
    await waitForGone(moderator, 'This will be deleted');
    assert.ok((await shownTexts(alice)).includes('Hello from Alice'), 'only that message went');
  });

  chatting.step('a banned user cannot post, even after a reload', async () => {
    await say(bob, 'I am bob');
    await waitForText(moderator, 'I am bob');
    await moderate(moderator, 'I am bob', 'Ban');
    await statusMatching(bob, /banned/);

    await bob.reload();
    await waitForText(bob, 'Welcome everyone');
    assert.match(await statusMatching(bob, /banned/), /banned/i, 'says why after the reload');
    assert.equal(await bob.locator('#chat .chat-input').isDisabled(), true, 'no box to type in');
    assert.equal(await bob.locator('#chat .chat-send').isDisabled(), true);
    // The server refuses it whatever the page does.
    const socket = await connectChat(server.baseUrl, { token: bobToken });
    sockets.push(socket);
    await socket.join(live.uuid);
    const refused = await socket.send('Bob is back');
    assert.equal(refused.ok, false);
    assert.equal(refused.error?.code, 'banned');
    await sleep(1000);
    assert.ok(!(await shownTexts(alice)).includes('Bob is back'), 'never shown to others');
  });

  chatting.step('slow mode holds a viewer\'s second message back, with a notice, but not a moderator\'s', async () => {
    await moderator.locator('#chat .chat-slow-mode').selectOption('30');
    await quiet.waitForFunction(() => /30 s/.test(document.querySelector('#chat .chat-rules:not([hidden])')?.textContent ?? ''), undefined, UI_TIMEOUT);
    await say(quiet, 'first within slow mode');
    await waitForText(alice, 'first within slow mode');
    await say(quiet, 'second within slow mode');
    const notice = await statusMatching(quiet, /slow mode/);
    const seconds = Number(notice.match(/(\d+) s/)?.[1]);
    assert.ok(seconds > 20 && seconds <= 30, `says how long to wait: ${notice}`);
    assert.equal(await quiet.inputValue('#chat .chat-input'), 'second within slow mode', 'the refused text is kept');

    await say(moderator, 'moderator one');
    await say(moderator, 'moderator two');
    await waitForText(alice, 'moderator two');
    assert.ok((await shownTexts(alice)).includes('moderator one'));
    assert.ok(!(await shownTexts(alice)).includes('second within slow mode'), 'the refused message is not shown to others');

    await moderator.locator('#chat .chat-slow-mode').selectOption('0');
    await quiet.waitForFunction(() => document.querySelector('#chat .chat-rules')?.hasAttribute('hidden'), undefined, UI_TIMEOUT);
  });

  chatting.step('a registered-only room refuses anonymous messages, with a notice', async () => {
    await moderator.locator('#chat .chat-mode').selectOption('registered');
    await anon.waitForFunction(() => /registered/.test(document.querySelector('#chat .chat-rules:not([hidden])')?.textContent ?? ''), undefined, UI_TIMEOUT);
    await say(anon, 'anonymous in a registered room');
    await statusMatching(anon, /registered/);
    await say(alice, 'registered in a registered room');
    await waitForText(anon, 'registered in a registered room');
    assert.ok(!(await shownTexts(alice)).includes('anonymous in a registered room'));
    await moderator.locator('#chat .chat-mode').selectOption('open');
    await anon.waitForFunction(() => document.querySelector('#chat .chat-rules')?.hasAttribute('hidden'), undefined, UI_TIMEOUT);
  });

  chatting.step('joins the chat of a password-protected live with the password the viewer gave', async () => {
    const secret = await admin.createLive({ name: 'Secret chat', privacy: 5, videoPasswords: ['open-sesame'] });
    const outsider = await connectChat(server.baseUrl, { anonId: 'chat-test-outsider-0001' });
    sockets.push(outsider);
    const refused = await outsider.emit('join', { videoId: secret.uuid });
    assert.equal(refused.error?.code, 'video_requires_password');
    await outsider.join(secret.uuid, 'open-sesame');

    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.baseUrl}/w/${secret.shortUUID}`);
    await page.fill('#password-input', 'open-sesame');
    await page.click('#password-form button[type=submit]');
    await page.locator('#chat[data-state="joined"]').waitFor({ timeout: 20_000 });
    await say(page, 'psst');
    const message = await outsider.waitForEvent('message', (payload) => payload.text === 'psst');
    assert.equal(message.author.anonymous, true);
  });

  chatting.step('the OBS overlay shows new messages on a transparent page', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const overlay = await context.newPage();
    overlay.on('pageerror', (error) => pageErrors.push(error.message));
    await overlay.goto(`${server.baseUrl}/chat-overlay.html?video=${live.uuid}`);
    await overlay.locator('.overlay-message', { hasText: 'Welcome everyone' }).waitFor(UI_TIMEOUT);
    await say(moderator, 'Hello OBS');
    await overlay.locator('.overlay-message', { hasText: 'Hello OBS' }).waitFor(UI_TIMEOUT);
    const texts = await overlay.locator('.overlay-message .chat-text').allTextContents();
    assert.equal(texts.at(-1), 'Hello OBS', 'newest last');
    const bottom = await overlay.locator('.overlay-message').last().evaluate((node) => [node.getBoundingClientRect().bottom, innerHeight]);
    assert.ok(bottom[1] - bottom[0] < 60, `newest at the bottom of the page (${bottom})`);
    const backgrounds = await overlay.evaluate(() => [getComputedStyle(document.documentElement).backgroundColor, getComputedStyle(document.body).backgroundColor]);
    assert.deepEqual(backgrounds, ['rgba(0, 0, 0, 0)', 'rgba(0, 0, 0, 0)']);
    assert.equal(await overlay.locator('input, button, form').count(), 0, 'read-only');

    // ?fade=1: a message leaves the overlay a second after it came (plus its 1 s fade-out).
    await sleep(1500); // 'Hello OBS' is now older than the fade delay
    await overlay.goto(`${server.baseUrl}/chat-overlay.html?video=${live.uuid}&fade=1`);
    await sleep(500);
    assert.equal(await overlay.locator('.overlay-message').count(), 0, 'older messages are not shown again');
    await say(moderator, 'Fading away');
    await overlay.locator('.overlay-message', { hasText: 'Fading away' }).waitFor(UI_TIMEOUT);
    await overlay.locator('.overlay-message', { hasText: 'Fading away' }).waitFor({ state: 'detached', timeout: 5000 });
  });

  chatting.step('a moderator clears the chat for everyone', async () => {
    moderator.once('dialog', (dialog) => void dialog.accept());
    await moderator.click('#chat .chat-clear');
    for (const page of [alice, anon]) {
      await page.waitForFunction(() => document.querySelectorAll('#chat .chat-message').length === 0, undefined, UI_TIMEOUT);
      assert.match((await page.textContent('#chat .chat-notice')) ?? '', /cleared/);
    }
  });

  chatting.step('rejoins the room after the connection comes back', async () => {
    await server.stop();
    await statusMatching(alice, /reconnecting/);
    await server.start();
    await alice.locator('#chat[data-state="joined"]').waitFor({ timeout: 30_000 });
    await anon.locator('#chat[data-state="joined"]').waitFor({ timeout: 30_000 });
    await say(alice, 'back after the restart');
    await waitForText(anon, 'back after the restart');
  });

  chatting.step('a timed-out user is told until when and cannot type meanwhile', async () => {
    await waitForText(moderator, 'back after the restart');
    await moderate(moderator, 'back after the restart', 'Timeout');
    assert.match(await statusMatching(alice, /timed out/), /until \d/);
    assert.equal(await alice.locator('#chat .chat-input').isDisabled(), true);
    assert.deepEqual(pageErrors, []);
  });
});
