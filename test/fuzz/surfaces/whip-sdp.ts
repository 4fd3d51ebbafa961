// WHIP (POST /api/v1/whip, ingest/whip and werift's SDP parsing): an OBS-like offer, mutated line
// by line and byte by byte, with hostile values in the lines our checks and werift read, sent with
// no key, a malformed Authorization header or a key no live has. A refusal must be a 4xx; a 5xx or
// no answer is a crash. Each request comes "through the proxy" (X-Forwarded-For from loopback, which
// the server trusts by default) from a different address, so the per-IP rate limit of 30 a minute
// does not stop the inputs before they reach the parser.
import type { FuzzContext, FuzzSurface } from '../surface.ts';
import type { Rng } from '../rng.ts';
import { boundedFetch, crashNoter, runPool } from '../http-client.ts';

const CONCURRENCY = 4;
const ANSWER_TIMEOUT_MS = 15_000;
const FINGERPRINT = Array.from({ length: 32 }, (_, index) => (index * 7 % 256).toString(16).padStart(2, '0').toUpperCase()).join(':');

const OFFER = [
  'v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0 1', 'a=extmap-allow-mixed', 'a=msid-semantic: WMS obs',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0', 'a=rtcp:9 IN IP4 0.0.0.0', 'a=ice-ufrag:Ab3d', 'a=ice-pwd:0123456789abcdefghijklmn',
  'a=ice-options:trickle', `a=fingerprint:sha-256 ${FINGERPRINT}`, 'a=setup:actpass', 'a=mid:0', 'a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=sendonly', 'a=msid:obs audio', 'a=rtcp-mux', 'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;useinbandfec=1', 'a=ssrc:1111 cname:obs',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97', 'c=IN IP4 0.0.0.0', 'a=rtcp:9 IN IP4 0.0.0.0', 'a=ice-ufrag:Ab3d', 'a=ice-pwd:0123456789abcdefghijklmn',
  'a=ice-options:trickle', `a=fingerprint:sha-256 ${FINGERPRINT}`, 'a=setup:actpass', 'a=mid:1', 'a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=sendonly', 'a=msid:obs video', 'a=rtcp-mux', 'a=rtcp-rsize', 'a=rtpmap:96 H264/90000', 'a=rtcp-fb:96 nack', 'a=rtcp-fb:96 nack pli',
  'a=fmtp:96 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f', 'a=rtpmap:97 rtx/90000', 'a=fmtp:97 apt=96',
  'a=ssrc-group:FID 2222 3333', 'a=ssrc:2222 cname:obs', 'a=ssrc:3333 cname:obs', 'a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host',
];

const HOSTILE_LINES = [
  'm=video 9 UDP/TLS/RTP/SAVPF', 'm=video -1 RTP/AVP 96', 'm=video 99999999999999999999 UDP/TLS/RTP/SAVPF 96', 'm=', 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'a=rtpmap:96 H264', 'a=rtpmap:abc H264/90000', 'a=rtpmap:4294967296 H264/90000', 'a=rtpmap:96 H264/0', 'a=rtpmap:96 H264/90000/99999',
  'a=fmtp:96 ' + 'x=y;'.repeat(2000), 'a=fmtp:96 packetization-mode=1;profile-level-id=zzzzzz', 'a=fingerprint:sha-256', 'a=fingerprint:md5 00',
  'a=fingerprint:sha-256 ' + 'ZZ:'.repeat(31) + 'ZZ', 'a=ice-ufrag:', 'a=ice-pwd:', 'a=setup:', 'a=setup:holdconn', 'a=mid:', 'a=mid:' + 'm'.repeat(5000),
  'a=group:BUNDLE', 'a=group:BUNDLE 0 1 2 3 4 5 6 7 8 9', 'a=ssrc:-1 cname:x', 'a=ssrc:99999999999999 cname:x', 'a=ssrc-group:FID', 'a=ssrc-group:FID a b',
  'a=extmap:999999 urn:x', 'a=extmap:0', 'a=rtcp-fb:* nack', 'a=candidate:', 'a=candidate:1 1 udp x 999.1.1.1 -5 typ host',
  'a=candidate:1 1 tcp 1 127.0.0.1 9 typ host tcptype passive', 'a=rid:h send', 'a=simulcast:send h;m;l', 'c=IN IP6 ::::', 'a=msid:' + '\u0000'.repeat(10),
  'a=sctp-port:5000', 'a=max-message-size:-1', 'b=AS:-1', 'a=recvonly', 'a=inactive', 'a=sendrecv', '\u0000', '=', 'a=', 'x'.repeat(70000),
];

function offerFor(rng: Rng): string {
  const lines = [...OFFER];
  for (let edits = rng.int(0, 6); edits > 0; edits--) {
    const at = rng.int(0, lines.length);
    switch (rng.int(0, 3)) {
      case 0: lines.splice(at, 0, rng.pick(HOSTILE_LINES)); break;
      case 1: lines.splice(at, 1); break;
      case 2: lines[Math.min(at, lines.length - 1)] = rng.pick(HOSTILE_LINES); break;
      default: lines.splice(at, 0, ...lines.slice(rng.int(0, lines.length - 1)).slice(0, rng.int(1, 20)));
    }
  }
  let text = lines.join(rng.chance(0.9) ? '\r\n' : '\n') + '\r\n';
  if (rng.chance(0.4)) text = rng.mutate(Buffer.from(text, 'latin1'), rng.int(1, 20)).toString('latin1');
  if (rng.chance(0.03)) text = rng.bytes(rng.int(0, 3000)).toString('latin1');
  return text;
}

function authorizationFor(rng: Rng): string | undefined {
  return rng.pick([undefined, `Bearer ${randomKey(rng)}`, `Bearer ${randomKey(rng)}`, 'Bearer', 'Bearer ', 'Basic YTpi', `Bearer ${'k'.repeat(5000)}`, 'Bearer \u00ff\u00fe']);
}

function randomKey(rng: Rng): string {
  const hex = rng.bytes(16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const surface: FuzzSurface = {
  name: 'whip-sdp',
  kind: 'network',
  async run(context: FuzzContext) {
    const { rng, target } = context;
    const noteCrash = crashNoter(context);
    return runPool(context.count, CONCURRENCY, async (index) => {
      const offer = offerFor(rng);
      const authorization = authorizationFor(rng);
      const headers: Record<string, string> = {
        'content-type': rng.chance(0.95) ? 'application/sdp' : rng.pick(['text/plain', 'application/sdp; charset=x', 'application/json']),
        'x-forwarded-for': `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
      };
      if (authorization !== undefined) headers.authorization = authorization;
      const answer = await boundedFetch(`${target.baseUrl}/api/v1/whip`, { method: 'POST', headers, body: Buffer.from(offer, 'latin1') as unknown as BodyInit }, ANSWER_TIMEOUT_MS);
      if (answer.hung || answer.status === undefined || answer.status >= 500) {
        noteCrash(answer.hung ? 'whip no answer' : `whip ${answer.status}`, `input #${index} (${JSON.stringify(offer.slice(0, 300))}): ${answer.body}`);
        return true;
      }
      return false;
    });
  },
};

export default surface;
