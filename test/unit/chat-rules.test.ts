// The chat's pure rules: what text is accepted and how it is cleaned, forbidden words, anti-flood,
// and the stable identities of anonymous viewers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanMessageText, cleanNick, cleanWordList, forbiddenWordIn } from '../../chat/text.ts';
import { FloodGuard } from '../../chat/flood.ts';
import { anonymousKey, anonymousNick, colorOf, ipHash } from '../../chat/identity.ts';
import { xmppParticipant } from '../../chat/participant.ts';

test('message text: trimmed, controls and bidi overrides removed, blank runs collapsed, limits enforced', () => {
  assert.deepEqual(cleanMessageText('  hello  world \u0000\u200b', 50), { text: 'hello world \u200b'.trim() });
  assert.deepEqual(cleanMessageText('evil\u202egnp.exe', 50), { text: 'evilgnp.exe' });
  assert.deepEqual(cleanMessageText('a\n\n\n\nb', 50), { text: 'a\n\nb' });
  assert.equal((cleanMessageText('', 50) as { code: string }).code, 'empty');
  assert.equal((cleanMessageText('\u202e \t', 50) as { code: string }).code, 'empty');
  assert.equal((cleanMessageText(42, 50) as { code: string }).code, 'invalid');
  assert.equal((cleanMessageText('x'.repeat(51), 50) as { code: string }).code, 'too_long');
  // Limits count characters, not UTF-16 units: 50 emoji fit in 50.
  assert.deepEqual(cleanMessageText('😀'.repeat(50), 50), { text: '😀'.repeat(50) });
  assert.equal((cleanMessageText('y'.repeat(10_000_000), 50) as { code: string }).code, 'too_long');
  assert.deepEqual(cleanMessageText('<b>bold</b> & "quotes"', 50), { text: '<b>bold</b> & "quotes"' }, 'markup stays text, unchanged');
});

test('XMPP nicks are made one safe line', () => {
  assert.equal(cleanNick('  Bob\n\u202e the builder '), 'Bob the builder');
  assert.equal(cleanNick('\u0000'), 'xmpp-user');
  assert.equal([...cleanNick('n'.repeat(100))].length, 48);
});

test('forbidden words match whole words case-insensitively, phrases as substrings', () => {
  const words = ['darn', 'no way'];
  assert.equal(forbiddenWordIn('Oh DARN it', words), 'darn');
  assert.equal(forbiddenWordIn('darned socks', words), undefined);
  assert.equal(forbiddenWordIn('there is no way out', words), 'no way');
  assert.equal(forbiddenWordIn('anything', []), undefined);
  assert.deepEqual(cleanWordList([' Darn ', 'darn', '', 'Heck']), ['darn', 'heck']);
  assert.equal((cleanWordList('darn') as { code: string }).code, 'invalid');
  assert.equal((cleanWordList(Array.from({ length: 501 }, (_, index) => `w${index}`)) as { code: string }).code, 'invalid');
});

test('anti-flood lets `limit` messages through per window and says how long to wait', () => {
  const guard = new FloodGuard(3, 1000);
  assert.deepEqual([guard.take('a', 0), guard.take('a', 100), guard.take('a', 200)], [0, 0, 0]);
  assert.equal(guard.take('a', 300), 700);
  assert.equal(guard.take('b', 300), 0, 'identities are counted apart');
  assert.equal(guard.take('a', 1000), 0, 'the oldest message left the window');
});

test('anonymous identities: stable nick and colour per browser id; IP hashes depend on the salt', () => {
  const key = anonymousKey('browser-id-0123456789');
  assert.equal(key, anonymousKey('browser-id-0123456789'));
  assert.notEqual(key, anonymousKey('browser-id-9876543210'));
  assert.equal(anonymousNick(key), anonymousNick(key));
  assert.match(anonymousNick(key), /^[A-Z][a-z]+[A-Z][a-z]+\d{1,2}$/);
  assert.match(colorOf(key), /^hsl\(\d+ 65% 48%\)$/);
  const ip = '203.0.113.7';
  assert.equal(ipHash(Buffer.from('salt-one'), ip), ipHash(Buffer.from('salt-one'), ip));
  assert.notEqual(ipHash(Buffer.from('salt-one'), ip), ipHash(Buffer.from('salt-two'), ip));
  assert.ok(!ipHash(Buffer.from('salt-one'), ip).includes('203'));
});

test('an XMPP author is held by their real JID when known, and by their nick too', () => {
  const byJid = xmppParticipant('troll', 'Troll@example.org/phone');
  assert.match(byJid.key, /^xj:[A-Za-z0-9_-]{22}$/);
  assert.deepEqual(byJid.banKeys, [byJid.key, 'x:troll']);
  assert.equal(xmppParticipant('innocent', 'troll@example.org/laptop').key, byJid.key, 'another nick, another resource: the same person');
  assert.ok(xmppParticipant('innocent', 'troll@example.org/laptop').banKeys.includes(byJid.key));
  assert.equal(byJid.anonymous, true, 'no local account: the rules for anonymous viewers apply');
  assert.deepEqual(xmppParticipant('troll', null).banKeys, ['x:troll']);
});
