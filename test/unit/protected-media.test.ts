// Video file tokens (HMAC, expiry, scope) and their re-injection into every URI of HLS playlists.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createFileTokens, FILE_TOKEN_VALIDITY_MS } from '../../core/media-access/file-tokens.ts';
import { addFileTokenToPlaylist, addFileTokenToUri } from '../../core/media-access/playlist-tokens.ts';

const UUID = '0b8f3c2e-5d1a-4f6b-9c7e-1a2b3c4d5e6f';
const OTHER = '1b8f3c2e-5d1a-4f6b-9c7e-1a2b3c4d5e6f';

describe('video file tokens', () => {
  const secret = randomBytes(32);
  const tokens = createFileTokens(async () => secret);

  it('accepts its own token for its video until it expires', async () => {
    const now = Date.now();
    const issued = await tokens.issue(UUID, now);
    assert.equal(issued.expires.getTime(), now + FILE_TOKEN_VALIDITY_MS);
    assert.equal(await tokens.verify(issued.token, UUID, now + 1000), true);
    assert.equal(await tokens.verify(issued.token, OTHER, now + 1000), false, 'scoped to one video');
    assert.equal(await tokens.verify(issued.token, UUID, now + FILE_TOKEN_VALIDITY_MS + 1), false, 'expired');
  });

  it('refuses forged, altered and foreign tokens', async () => {
    const issued = await tokens.issue(UUID);
    const [uuid, expires, mac] = issued.token.split('.');
    assert.equal(await tokens.verify(`${uuid}.${Number(expires) + 3_600_000}.${mac}`, UUID), false, 'longer expiry');
    assert.equal(await tokens.verify(`${uuid}.${expires}.${'A'.repeat(43)}`, UUID), false, 'wrong MAC');
    assert.equal(await tokens.verify('garbage', UUID), false);
    const foreign = await createFileTokens(async () => randomBytes(32)).issue(UUID);
    assert.equal(await tokens.verify(foreign.token, UUID), false, 'another secret');
  });
});

describe('file tokens in playlists', () => {
  const T = 'a.b-c_d';

  it('appends to URIs with and without a query', () => {
    assert.equal(addFileTokenToUri('seg-1.m4s', T), `seg-1.m4s?videoFileToken=${T}`);
    assert.equal(addFileTokenToUri('../1/index.m3u8?x=1', T), `../1/index.m3u8?x=1&videoFileToken=${T}`);
    assert.equal(addFileTokenToUri('a.m4s?', T), `a.m4s?videoFileToken=${T}`);
  });

  it('tokenizes every URI of an LL-HLS media playlist and nothing else', () => {
    const playlist = [
      '#EXTM3U', '#EXT-X-VERSION:9', '#EXT-X-TARGETDURATION:2',
      '#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5,CAN-SKIP-UNTIL=12',
      '#EXT-X-PART-INF:PART-TARGET=0.5', '#EXT-X-MEDIA-SEQUENCE:10',
      '#EXT-X-MAP:URI="init-0.mp4"',
      '#EXTINF:2.00000,', 'seg-10.m4s',
      '#EXT-X-PART:DURATION=0.50000,URI="part-44.m4s",INDEPENDENT=YES',
      '#EXT-X-PART:DURATION=0.50000,URI="part-45.m4s"',
      '#EXTINF:2.00000,', 'seg-11.m4s',
      '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-46.m4s"',
      '#EXT-X-RENDITION-REPORT:URI="../1/index.m3u8",LAST-MSN=11,LAST-PART=1',
      '',
    ].join('\n');
    const out = addFileTokenToPlaylist(playlist, T);
    for (const uri of ['init-0.mp4', 'part-44.m4s', 'part-45.m4s', 'part-46.m4s', '../1/index.m3u8']) {
      assert.ok(out.includes(`URI="${uri}?videoFileToken=${T}"`), uri);
    }
    assert.match(out, new RegExp(`^seg-10\\.m4s\\?videoFileToken=${T}$`, 'm'));
    assert.match(out, new RegExp(`^seg-11\\.m4s\\?videoFileToken=${T}$`, 'm'));
    assert.equal(out.split('videoFileToken').length - 1, 7, 'exactly the seven URIs');
    assert.ok(out.includes('#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5,CAN-SKIP-UNTIL=12\n'));
  });

  it('tokenizes the variant URIs of a master playlist (CRLF too)', () => {
    const master = '#EXTM3U\r\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\r\n0/index.m3u8\r\n#EXT-X-STREAM-INF:BANDWIDTH=400000\r\n1/index.m3u8\r\n';
    assert.equal(addFileTokenToPlaylist(master, T),
      `#EXTM3U\r\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\r\n0/index.m3u8?videoFileToken=${T}\r\n#EXT-X-STREAM-INF:BANDWIDTH=400000\r\n1/index.m3u8?videoFileToken=${T}\r\n`);
  });
});
