import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeStreamIdField, encodeStreamIdField, parseStreamId } from '../../ingest/srt/stream-id.ts';
import { RejectCode } from '../../ingest/srt/handshake.ts';

const KEY = '8d0e3c43-51e2-4b77-a3b3-2f1fc3c6e1a4';

describe('SRT stream id', () => {
  it('takes a bare key, as OBS sends ?streamid=<key>', () => {
    assert.deepEqual(parseStreamId(KEY), { ok: true, streamKey: KEY });
  });

  it('takes the access-control syntax with m=publish, in any order, other keys ignored', () => {
    assert.deepEqual(parseStreamId(`#!::r=${KEY},m=publish`), { ok: true, streamKey: KEY });
    assert.deepEqual(parseStreamId(`#!::m=publish,u=alice,t=stream,r=${KEY}`), { ok: true, streamKey: KEY });
    // This port only ingests: an absent mode means publish here.
    assert.deepEqual(parseStreamId(`#!::r=${KEY}`), { ok: true, streamKey: KEY });
  });

  it('refuses other modes and types with the codes made for them', () => {
    const play = parseStreamId(`#!::r=${KEY},m=request`);
    assert.equal(play.ok, false);
    assert.equal(!play.ok && play.code, RejectCode.BAD_MODE);
    const file = parseStreamId(`#!::r=${KEY},m=publish,t=file`);
    assert.equal(!file.ok && file.code, RejectCode.NOTSUP_MEDIA);
  });

  it('refuses garbage as a bad request', () => {
    for (const garbage of [undefined, '', '#!::', '#!::m=publish', '#!::r', '#!::=x', `#!::r=${KEY},r=other`, 'key\u0000x', 'x'.repeat(513)]) {
      const parsed = parseStreamId(garbage);
      assert.equal(parsed.ok, false, `${JSON.stringify(garbage)} must be refused`);
      assert.equal(!parsed.ok && parsed.code, RejectCode.BAD_REQUEST, JSON.stringify(garbage));
    }
  });

  it('decodes libsrt\'s word-reversed encoding and round-trips', () => {
    // From a capture of ffmpeg publishing with ?streamid=abcdefg: "dcba" "\0gfe".
    assert.equal(decodeStreamIdField(Buffer.from('6463626100676665', 'hex')), 'abcdefg');
    for (const text of ['a', 'abcd', 'abcde', `#!::r=${KEY},m=publish`, 'clé-ünïcode']) {
      assert.equal(decodeStreamIdField(encodeStreamIdField(text)), text);
    }
    assert.equal(decodeStreamIdField(Buffer.alloc(0)), '');
  });
});
