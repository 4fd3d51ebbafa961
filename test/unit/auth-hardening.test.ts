// Issue 9: the guess limiter's windows (a throttled key is let in again once its window has passed),
// password hashes that record their parameters (OWASP's N=2^17 by default, older ones flagged for
// re-hashing, bounded against tampered rows), and the stream key vault (hash for lookup, sealed copy).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { GuessLimiter, type GuessRule } from '../../core/auth/guess-limiter.ts';
import { configurePasswordHashing, hashPassword, needsRehash, verifyPassword } from '../../core/auth/password.ts';
import { streamKeyVault } from '../../core/live/stream-keys.ts';
import { loadConfig } from '../../config/index.ts';

describe('guess limiter', () => {
  const perClient: GuessRule = { prefix: 'client', maxFailures: 3, windowSeconds: 60 };
  const perVideo: GuessRule = { prefix: 'video', maxFailures: 5, windowSeconds: 60 };

  it('refuses past the limit, the right guess too, until the window has passed', () => {
    const limiter = new GuessLimiter();
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) assert.equal(limiter.reserve([[perClient, 'a'], [perVideo, 1]], t0 + i).allowed, true);
    const refused = limiter.reserve([[perClient, 'a'], [perVideo, 1]], t0 + 10_000);
    assert.deepEqual(refused, { allowed: false, retryAfterSeconds: 50 });
    assert.equal(limiter.reserve([[perClient, 'b'], [perVideo, 1]], t0 + 10_000).allowed, true, 'another client still may');
    assert.equal(limiter.reserve([[perClient, 'a'], [perVideo, 1]], t0 + 60_001).allowed, true, 'the window has passed');
  });

  it('counts a try before it is checked and hands it back when right', () => {
    const limiter = new GuessLimiter();
    const tickets = [1, 2, 3].map(() => limiter.reserve([[perClient, 'a']], 0));
    assert.equal(limiter.reserve([[perClient, 'a']], 0).allowed, false, 'three in flight fill the window');
    const first = tickets[0];
    assert.ok(first.allowed);
    first.succeeded();
    first.succeeded();
    assert.equal(limiter.reserve([[perClient, 'a']], 0).allowed, true, 'a right guess does not count (once)');
    assert.equal(limiter.reserve([[perClient, 'a']], 0).allowed, false);
  });

  it('the per-video limit holds across clients', () => {
    const limiter = new GuessLimiter();
    for (let i = 0; i < 5; i++) assert.equal(limiter.reserve([[perClient, `c${i}`], [perVideo, 7]], 0).allowed, true);
    assert.equal(limiter.reserve([[perClient, 'fresh'], [perVideo, 7]], 0).allowed, false);
    assert.equal(limiter.reserve([[perClient, 'fresh'], [perVideo, 8]], 0).allowed, true);
  });
});

describe('password hashes', () => {
  it('defaults to OWASP\'s scrypt cost, 2^17', () => {
    assert.equal(loadConfig({ env: {}, file: '' }).auth.passwordHashCost, 17);
  });

  it('record their parameters; weaker ones are flagged for re-hashing; tampered ones fail', async () => {
    configurePasswordHashing({ cost: 14, concurrency: 2, queue: 8 });
    const old = await hashPassword('secret-1');
    assert.match(old, /^scrypt\$16384\$8\$1\$/);
    assert.equal(needsRehash(old), false);
    configurePasswordHashing({ cost: 15, concurrency: 2, queue: 8 });
    assert.equal(needsRehash(old), true);
    assert.equal(await verifyPassword('secret-1', old), true, 'an old hash still verifies');
    assert.equal(await verifyPassword('secret-2', old), false);
    const current = await hashPassword('secret-1');
    assert.match(current, /^scrypt\$32768\$/);
    assert.equal(needsRehash(current), false);
    assert.equal(await verifyPassword('secret-1', old.replace('$16384$', `$${2 ** 30}$`)), false, 'N beyond bounds is refused, not computed');
  });
});

describe('stream key vault', () => {
  it('looks keys up by hash and opens the sealed copy; another secret cannot', () => {
    const vault = streamKeyVault(randomBytes(32));
    const { streamKey, hash, sealed } = vault.generate();
    assert.equal(vault.lookupHash(streamKey.toUpperCase()), hash, 'OBS may send the key in upper case');
    assert.ok(!sealed.toString('latin1').includes(streamKey));
    assert.equal(vault.open(sealed), streamKey);
    assert.throws(() => streamKeyVault(randomBytes(32)).open(sealed));
  });
});
