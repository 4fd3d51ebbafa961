import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fromShortUuid, parseVideoRef, toShortUuid } from '../../db/index.ts';

describe('video references', () => {
  it('round-trips uuids through short uuids', () => {
    for (let round = 0; round < 200; round++) {
      const uuid = randomUUID();
      assert.equal(fromShortUuid(toShortUuid(uuid)), uuid);
    }
  });

  it('matches PeerTube for a known uuid', () => {
    // The short form PeerTube shows for this uuid (flickr base58).
    assert.equal(toShortUuid('9c9de5e8-0a1e-484a-b099-e80766180a6d'), 'kkGMgK9ZtnKfYAgnEtQxbv');
  });

  it('accepts numeric ids, uuids and short uuids, and rejects anything else', () => {
    assert.deepEqual(parseVideoRef('42'), { id: 42 });
    assert.deepEqual(parseVideoRef('9C9DE5E8-0A1E-484A-B099-E80766180A6D'), { uuid: '9c9de5e8-0a1e-484a-b099-e80766180a6d' });
    assert.deepEqual(parseVideoRef('kkGMgK9ZtnKfYAgnEtQxbv'), { uuid: '9c9de5e8-0a1e-484a-b099-e80766180a6d' });
    assert.equal(parseVideoRef('../etc/passwd'), undefined);
    assert.equal(parseVideoRef('0OIl0OIl0OIl'), undefined);
  });
});
