// The id of a tus request is read from its path alone (issue 9, defect 5): tus's own reading took the
// last segment of the whole URL, so `…/uploads/tus?/<id>` named any upload.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tusUploadId } from '../../api/routes/uploads.ts';

const ID = '0123456789abcdef0123456789abcdef';
const OTHER = 'fedcba9876543210fedcba9876543210';
const BASE = 'http://127.0.0.1:9000/api/v1/uploads/tus';

describe('tusUploadId', () => {
  it('reads the one id of the upload path', () => {
    assert.equal(tusUploadId(`${BASE}/${ID}`), ID);
    assert.equal(tusUploadId(`${BASE}/${ID}?x=1`), ID);
  });

  it('never takes an id from the query string', () => {
    assert.equal(tusUploadId(`${BASE}?/${ID}`), undefined);
    assert.equal(tusUploadId(`${BASE}?x=/${ID}`), undefined);
    assert.equal(tusUploadId(`${BASE}/${OTHER}?/${ID}`), OTHER);
  });

  it('refuses any other path shape', () => {
    for (const url of [
      `${BASE}/${ID}/`, `${BASE}//${ID}`, `${BASE}/%2F${ID}`, `${BASE}/x/${ID}`, `${BASE}/${OTHER}%2F..%2F${ID}`,
      `${BASE}/${ID.toUpperCase()}`, `${BASE}/${ID}0`, `${BASE}`, `${BASE}/`, 'http://127.0.0.1:9000/api/v1//uploads/tus/' + ID,
      `http://127.0.0.1:9000/api/v1/uploads/tusx/${ID}`,
    ]) assert.equal(tusUploadId(url), undefined, url);
  });
});
