// The SRT handshake parser and builders, on datagrams captured between ffmpeg 5.1 (libsrt 1.5.1)
// as caller, publishing with ?streamid=#!::r=<key>,m=publish, and ffmpeg as listener.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  HandshakeType, RejectCode, buildInductionResponse, buildRejection, encodePeerIp, inductionRequestFrom, isHandshake,
  isRejection, isShutdown, parseHandshake, rewriteHandshake, streamIdField, SRT_MAGIC_CODE, ExtensionType,
} from '../../ingest/srt/handshake.ts';
import { decodeStreamIdField, parseStreamId } from '../../ingest/srt/stream-id.ts';
import { CookieJar } from '../../ingest/srt/cookie.ts';

const hex = (text: string) => Buffer.from(text, 'hex');
const KEY = '8d0e3c43-51e2-4b77-a3b3-2f1fc3c6e1a4';

const captured = {
  inductionRequest: hex('8000000000000000000000dc00000000000000040000000207510003000005dc000020000000000117d51b66000000000100007f000000000000000000000000'),
  inductionResponse: hex('8000000000000000000832d717d51b660000000500004a1707510003000005dc000020000000000117d51b6656d33f790100007f000000000000000000000000'),
  conclusionRequest: hex('8000000000000000000007d800000000000000050000000507510003000005dc00002000ffffffff17d51b6656d33f790100007f000000000000000000000000' +
    '0001000300010501000000bf00780000' +
    '0005000d3a3a212364383d7263336530352d33342d326531373762346233612d66322d3333636631316536636d2c34616275703d6873696c'),
  conclusionResponse: hex('80000000000000000000021517d51b66000000050000000107510003000005dc00002000ffffffff2e8967c756d33f790100007f000000000000000000000000' +
    '0002000300010501000000bf00780078'),
  shutdown: hex('8005000000000000001e9aa12e8967c700000000'),
};

describe('SRT handshake', () => {
  it('reads the caller\'s induction request', () => {
    const hs = parseHandshake(captured.inductionRequest)!;
    assert.equal(hs.type, HandshakeType.INDUCTION);
    assert.equal(hs.version, 4);
    assert.equal(hs.extensionFlags, 2);
    assert.equal(hs.socketId, 0x17d51b66);
    assert.equal(hs.cookie, 0);
    assert.equal(hs.destinationSocketId, 0);
    assert.equal(hs.mtu, 1500);
    assert.equal(hs.flowWindow, 8192);
    assert.deepEqual(hs.peerIp, encodePeerIp('127.0.0.1'));
    assert.equal(hs.extensions.length, 0);
  });

  it('reads the stream id and the HSREQ extension of the conclusion', () => {
    const hs = parseHandshake(captured.conclusionRequest)!;
    assert.equal(hs.type, HandshakeType.CONCLUSION);
    assert.equal(hs.version, 5);
    assert.equal(hs.cookie, 0x56d33f79, 'the cookie the listener gave in its induction response');
    assert.deepEqual(hs.extensions.map((extension) => extension.type), [ExtensionType.HSREQ, ExtensionType.SID]);
    const hsreq = hs.extensions[0].content;
    assert.equal(hsreq.readUInt32BE(0), 0x010501, 'libsrt 1.5.1');
    assert.equal(hsreq.readUInt16BE(8), 120, 'receiver latency, ms');
    const streamId = decodeStreamIdField(streamIdField(hs)!);
    assert.equal(streamId, `#!::r=${KEY},m=publish`);
    assert.deepEqual(parseStreamId(streamId), { ok: true, streamKey: KEY });
  });

  it('reads the listener\'s responses and tells other control packets apart', () => {
    const induction = parseHandshake(captured.inductionResponse)!;
    assert.equal(induction.extensionFlags, SRT_MAGIC_CODE);
    assert.equal(induction.destinationSocketId, 0x17d51b66);
    const conclusion = parseHandshake(captured.conclusionResponse)!;
    assert.equal(conclusion.type, HandshakeType.CONCLUSION);
    assert.equal(conclusion.socketId, 0x2e8967c7, 'the accepted socket');
    assert.equal(isRejection(conclusion), false);
    assert.equal(isShutdown(captured.shutdown), true);
    assert.equal(isHandshake(captured.shutdown), false);
    assert.equal(parseHandshake(captured.shutdown), undefined);
  });

  it('refuses truncated and non-handshake datagrams', () => {
    assert.equal(parseHandshake(captured.conclusionRequest.subarray(0, 40)), undefined);
    assert.equal(parseHandshake(captured.conclusionRequest.subarray(0, captured.conclusionRequest.length - 2)), undefined, 'extension past the end');
    assert.equal(parseHandshake(Buffer.alloc(100)), undefined, 'a data packet');
    assert.equal(parseHandshake(Buffer.alloc(0)), undefined);
  });

  it('builds an induction response shaped like libsrt\'s, with our cookie', () => {
    const request = parseHandshake(captured.inductionRequest)!;
    const built = buildInductionResponse(request, 0x56d33f79, '127.0.0.1', 0x832d7);
    // Identical to what ffmpeg's listener sent, cookie and timestamp chosen to match.
    assert.deepEqual(built, captured.inductionResponse);
  });

  it('rebuilds the caller\'s induction request from its conclusion', () => {
    const conclusion = parseHandshake(captured.conclusionRequest)!;
    const rebuilt = inductionRequestFrom(conclusion, encodePeerIp('127.0.0.1'));
    const original = captured.inductionRequest;
    // Everything but the timestamp (the conclusion's) matches the caller's own induction.
    assert.deepEqual(rebuilt.subarray(12), original.subarray(12));
  });

  it('builds a rejection the caller can route: its socket id, 1000 + reason', () => {
    const conclusion = parseHandshake(captured.conclusionRequest)!;
    const rejection = parseHandshake(buildRejection(conclusion, RejectCode.FORBIDDEN, 1))!;
    assert.equal(rejection.destinationSocketId, conclusion.socketId);
    assert.equal(rejection.type, 1000 + 1403);
    assert.equal(isRejection(rejection), true);
  });

  it('rewrites only cookie and peer IP', () => {
    const rewritten = rewriteHandshake(captured.conclusionRequest, 0x01020304, encodePeerIp('10.1.2.3'));
    const hs = parseHandshake(rewritten)!;
    assert.equal(hs.cookie, 0x01020304);
    assert.deepEqual([...hs.peerIp.subarray(0, 4)], [3, 2, 1, 10]);
    assert.deepEqual(rewritten.subarray(64), captured.conclusionRequest.subarray(64));
    assert.deepEqual(rewritten.subarray(0, 44), captured.conclusionRequest.subarray(0, 44));
  });

  it('encodes IPv6 and v4-mapped peers', () => {
    assert.deepEqual(encodePeerIp('::ffff:127.0.0.1'), encodePeerIp('127.0.0.1'));
    assert.equal(encodePeerIp('::1').toString('hex'), '00000000000000000000000001000000');
    assert.equal(encodePeerIp('2001:db8::1').toString('hex'), 'b80d01200000000000000000' + '01000000');
  });
});

describe('SRT cookies', () => {
  it('accept this minute\'s and the previous one\'s, for that address and port only', () => {
    const jar = new CookieJar();
    const now = 1_800_000_000_000;
    const cookie = jar.cookieFor('192.0.2.1', 5000, now);
    assert.equal(jar.accepts(cookie, '192.0.2.1', 5000, now), true);
    assert.equal(jar.accepts(cookie, '192.0.2.1', 5000, now + 60_000), true);
    assert.equal(jar.accepts(cookie, '192.0.2.1', 5000, now + 120_000), false);
    assert.equal(jar.accepts(cookie, '192.0.2.1', 5001, now), false);
    assert.equal(jar.accepts(cookie, '192.0.2.2', 5000, now), false);
  });
});
