// The byte- and text-level pieces of WHIP/WHEP, without a network: the offer check, H.264
// keyframe detection in RTP, the WHEP encoder arguments. (The FLV feed WHIP shares with SRT: flv.test.ts.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loopbackSdp, summarizeOffer } from '../../ingest/whip/sdp.ts';
import { startsKeyframe } from '../../packager/whep/h264-rtp.ts';
import { buildWhepCommand, whepRendition } from '../../packager/whep/index.ts';
import { announcePublicIp } from '../../api/routes/webrtc.ts';

describe('WHIP offers', () => {
  const offer = (video: string) => [
    'v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0 1',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=ice-ufrag:abcd', 'a=fingerprint:sha-256 00:11', 'a=sendonly', 'a=rtpmap:111 opus/48000/2',
    'a=fmtp:111 minptime=10;useinbandfec=1', video,
  ].join('\r\n') + '\r\n';

  it('takes the first H.264 with packetization-mode 1, and Opus', () => {
    const summary = summarizeOffer(offer([
      'm=video 9 UDP/TLS/RTP/SAVPF 96 104 102', 'a=sendonly', 'a=rtpmap:96 VP8/90000',
      'a=rtpmap:104 H264/90000', 'a=fmtp:104 packetization-mode=0;profile-level-id=42e01f',
      'a=rtpmap:102 H264/90000', 'a=fmtp:102 packetization-mode=1;profile-level-id=42e01f',
    ].join('\r\n')));
    assert.equal(summary.problem, undefined);
    assert.deepEqual(summary.h264, { payloadType: 102, parameters: 'packetization-mode=1;profile-level-id=42e01f', channels: undefined });
    assert.equal(summary.opus?.payloadType, 111);
  });

  it('says why an offer without H.264 cannot be used', () => {
    assert.match(summarizeOffer(offer('m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendonly\r\na=rtpmap:96 VP8/90000')).problem ?? '', /no H\.264/);
    assert.match(summarizeOffer('not sdp').problem ?? '', /not an SDP offer/);
  });

  it('describes the loopback RTP for ffmpeg', () => {
    const sdp = loopbackSdp({ port: 5000, payloadType: 102, parameters: 'packetization-mode=1' }, { port: 5002, payloadType: 111, parameters: '' });
    assert.match(sdp, /m=video 5000 RTP\/AVP 102\r\na=rtpmap:102 H264\/90000\r\na=fmtp:102 packetization-mode=1\r\n/);
    assert.match(sdp, /m=audio 5002 RTP\/AVP 111\r\na=rtpmap:111 opus\/48000\/2\r\n$/);
  });
});

describe('WHEP', () => {
  it('finds where an H.264 keyframe starts in RTP payloads', () => {
    assert.equal(startsKeyframe(Buffer.from([0x67, 0x42])), true, 'SPS');
    assert.equal(startsKeyframe(Buffer.from([0x65, 0x88])), true, 'IDR slice');
    assert.equal(startsKeyframe(Buffer.from([0x7c, 0x85, 0])), true, 'FU-A start of an IDR');
    assert.equal(startsKeyframe(Buffer.from([0x7c, 0x05, 0])), false, 'FU-A middle of an IDR');
    assert.equal(startsKeyframe(Buffer.from([0x7c, 0x81, 0])), false, 'FU-A start of a P slice');
    assert.equal(startsKeyframe(Buffer.from([0x78, 0, 2, 0x09, 0xf0, 0, 2, 0x67, 0x42])), true, 'STAP-A with an SPS');
    assert.equal(startsKeyframe(Buffer.from([0x41, 0x9a])), false, 'P slice');
  });

  it('encodes without B-frames, in constrained baseline, with 1 s keyframes, Opus, RTP to loopback', () => {
    const args = buildWhepCommand({ maxHeight: 720, videoBitrateKbps: 2800, keyframeSeconds: 1, hasAudio: true, videoPort: 5000, audioPort: 5002, threads: 0 });
    const joined = args.join(' ');
    assert.match(joined, /-f flv -i pipe:0/);
    assert.match(joined, /-bf 0/);
    assert.match(joined, /-vsync passthrough/, 'no frozen burst of duplicated frames at the start');
    assert.match(joined, /-profile:v baseline/);
    assert.match(joined, /-tune zerolatency/);
    assert.match(joined, /expr:gte\(t,n_forced\*1\)/);
    assert.match(joined, /scale=-2:trunc\(min\(ih\\,720\)\/2\)\*2/);
    assert.match(joined, /-c:a libopus -ar 48000 -ac 2/);
    assert.match(joined, /rtp:\/\/127\.0\.0\.1:5000\?pkt_size=1200&rtcpport=5000/);
    assert.match(joined, /rtp:\/\/127\.0\.0\.1:5002\?/);
    const silent = buildWhepCommand({ maxHeight: 480, videoBitrateKbps: 1400, keyframeSeconds: 1, hasAudio: false, videoPort: 5000, audioPort: 5002, threads: 2 }).join(' ');
    assert.doesNotMatch(silent, /libopus/);
    assert.match(silent, /-threads:v 2/);
  });

  it('plays the top ladder rung at or under 720p', () => {
    assert.deepEqual(whepRendition([{ height: 1080, videoBitrateKbps: 5000 }, { height: 720, videoBitrateKbps: 2800 }, { height: 360, videoBitrateKbps: 800 }]), { height: 720, videoBitrateKbps: 2800 });
    assert.deepEqual(whepRendition([{ height: 480, videoBitrateKbps: 1400 }]), { height: 480, videoBitrateKbps: 1400 });
    assert.deepEqual(whepRendition([{ height: 1080, videoBitrateKbps: 5000 }]), { height: 720, videoBitrateKbps: 2500 });
  });

  it('announces the configured public address next to each IPv4 host candidate (1:1 NAT)', () => {
    const answer = [
      'a=candidate:1 1 udp 2116026367 127.0.0.1 40000 typ host generation 0',
      'a=candidate:2 1 udp 2116026367 10.0.0.5 40001 typ host generation 0',
      'a=candidate:3 1 udp 2116026367 fd00::2 40002 typ host generation 0',
    ].join('\r\n');
    assert.equal(announcePublicIp(answer, ''), answer);
    const announced = announcePublicIp(answer, '203.0.113.7').split('\r\n');
    assert.equal(announced.length, 4);
    assert.equal(announced[2], 'a=candidate:2p 1 udp 2116026366 203.0.113.7 40001 typ host generation 0');
  });
});
