import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ViewCounter } from '../../core/views/view-counter.ts';

describe('ViewCounter', () => {
  it('counts one view per IP and video within the window', () => {
    let now = 0;
    const counter = new ViewCounter({ windowMs: 1000, maxEntries: 10, now: () => now });
    assert.equal(counter.shouldCount('1.1.1.1', 1), true);
    assert.equal(counter.shouldCount('1.1.1.1', 1), false);
    assert.equal(counter.shouldCount('1.1.1.1', 2), true, 'another video');
    assert.equal(counter.shouldCount('2.2.2.2', 1), true, 'another IP');
    now = 999;
    assert.equal(counter.shouldCount('1.1.1.1', 1), false);
    now = 1000;
    assert.equal(counter.shouldCount('1.1.1.1', 1), true, 'after the window');
  });

  it('stays bounded, forgetting the oldest and the expired first', () => {
    let now = 0;
    const counter = new ViewCounter({ windowMs: 60_000, maxEntries: 3, now: () => now });
    for (let ip = 0; ip < 10; ip++) {
      now++;
      counter.shouldCount(`10.0.0.${ip}`, 1);
    }
    assert.equal(counter.size, 3);
    assert.equal(counter.shouldCount('10.0.0.9', 1), false, 'the newest is remembered');
    assert.equal(counter.shouldCount('10.0.0.0', 1), true, 'the oldest was forgotten');
    now += 60_000;
    counter.shouldCount('10.0.0.99', 1);
    assert.equal(counter.size, 1, 'expired entries go');
  });
});
