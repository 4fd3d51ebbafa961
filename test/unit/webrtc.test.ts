// The byte- and text-level pieces of WHIP/WHEP, without a network: FLV splitting and the GOP
// feed, the offer check, H.264 keyframe detection in RTP, the WHEP encoder arguments.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FlvTagReader, isVideoKeyframe, metadataNumber, FLV_TAG_AUDIO, FLV_TAG_SCRIPT, FLV_TAG_VIDEO } from '../../ingest/whip/flv-tags.ts';
import { FlvGopFeed } from '../../ingest/whip/flv-gop-feed.ts';
import { loopbackSdp, summarizeOffer } from '../../ingest/whip/sdp.ts';
import { startsKeyframe } from '../../packager/whep/h264-rtp.ts';
import { buildWhepCommand, whepRendition } from '../../packager/whep/index.ts';
import { announcePublicIp } from '../../api/routes/webrtc.ts';

const FLV_HEADER = Buffer.from([0x46, 0x4c, 0x56, 1, 0x05, 0, 0, 0, 9, 0, 0, 0, 0]);

function tag(type: number, timestamp: number, data: Buffer): Buffer {
  const head = Buffer.alloc(11);
  head[0] = type;
  head.writeUIntBE(data.length, 1, 3);
  head.writeUIntBE(timestamp & 0xffffff, 4, 3);
  head[7] = timestamp >>> 24;
  const size = Buffer.alloc(4);
  size.writeUInt32BE(11 + data.length);
  return Buffer.concat([head, data, size]);
}

function amfNumber(name: string, value: number): Buffer {
  const key = Buffer.alloc(2 + name.length);
  key.writeUInt16BE(name.length);
  key.write(name, 2, 'latin1');
  const number = Buffer.alloc(9);
  number[0] = 0;
  number.writeDoubleBE(value, 1);
  return Buffer.concat([key, number]);
}

const metadata = tag(FLV_TAG_SCRIPT, 0, Buffer.concat([
  Buffer.from([2, 0, 10]), Buffer.from('onMetaData', 'latin1'), Buffer.from([8, 0, 0, 0, 2]),
  amfNumber('width', 1280), amfNumber('height', 720), Buffer.from([0, 0, 9]),
]));
const videoHeader = tag(FLV_TAG_VIDEO, 0, Buffer.from([0x17, 0, 0, 0, 0, 1, 0x42, 0xc0, 0x1f]));
const audioHeader = tag(FLV_TAG_AUDIO, 0, Buffer.from([0xaf, 0, 0x11, 0x90]));
const keyframe = (ms: number) => tag(FLV_TAG_VIDEO, ms, Buffer.from([0x17, 1, 0, 0, 0, 0xaa]));
const interframe = (ms: number) => tag(FLV_TAG_VIDEO, ms, Buffer.from([0x27, 1, 0, 0, 0, 0xbb]));
const audioFrame = (ms: number) => tag(FLV_TAG_AUDIO, ms, Buffer.from([0xaf, 1, 0xcc]));

describe('FLV tag reader', () => {
  it('splits a stream cut at arbitrary places into the header and whole tags', () => {
    const stream = Buffer.concat([FLV_HEADER, metadata, videoHeader, keyframe(0), interframe(33), keyframe(0x1000000 + 5)]);
    for (const step of [1, 7, 100, stream.length]) {
      const reader = new FlvTagReader();
      const tags = [];
      for (let offset = 0; offset < stream.length; offset += step) tags.push(...reader.push(stream.subarray(offset, offset + step)));
      assert.deepEqual(reader.header?.bytes, FLV_HEADER);
      assert.equal(reader.header?.hasAudio, true);
      assert.deepEqual(tags.map((one) => one.type), [FLV_TAG_SCRIPT, FLV_TAG_VIDEO, FLV_TAG_VIDEO, FLV_TAG_VIDEO, FLV_TAG_VIDEO]);
      assert.equal(tags[4].timestamp, 0x1000000 + 5, 'extended timestamp byte');
      assert.deepEqual(tags.map((one) => isVideoKeyframe(one)), [false, true, true, false, true]);
      assert.equal(metadataNumber(tags[0], 'height'), 720);
    }
  });

  it('refuses a stream that is not FLV', () => {
    assert.throws(() => new FlvTagReader().push(Buffer.from('GIF89a-not-an-flv')), /not an FLV/);
  });
});

describe('FLV GOP feed', () => {
  const collect = () => {
    const chunks: Array<{ bytes: Buffer; key: boolean }> = [];
    return { chunks, sink: { write: (bytes: Buffer, key: boolean) => { chunks.push({ bytes, key }); } } };
  };

  it('starts every subscriber with header, metadata, codec headers and the current GOP, on a keyframe', async () => {
    const feed = new FlvGopFeed();
    const early = collect();
    feed.subscribe(early.sink);
    feed.write(Buffer.concat([FLV_HEADER, metadata, videoHeader, audioHeader, interframe(0), audioFrame(10)]));
    assert.equal(early.chunks.length, 0, 'nothing before the first keyframe');
    feed.write(Buffer.concat([keyframe(40), audioFrame(50), interframe(73)]));
    assert.deepEqual(early.chunks[0].bytes, Buffer.concat([FLV_HEADER, metadata, videoHeader, audioHeader, keyframe(40)]));
    assert.equal(early.chunks[0].key, true);
    assert.equal(early.chunks.length, 3);

    const late = collect();
    feed.subscribe(late.sink);
    assert.deepEqual(late.chunks[0].bytes, Buffer.concat([FLV_HEADER, metadata, videoHeader, audioHeader, keyframe(40), audioFrame(50), interframe(73)]));
    assert.deepEqual(await feed.describe(100), { width: 1280, height: 720, hasAudio: true });
  });

  it('drops a GOP past its cap, and new subscribers then wait for the next keyframe', () => {
    let overflowed = 0;
    const feed = new FlvGopFeed({ maxGopBytes: 200, onGopOverflow: () => { overflowed++; } });
    feed.write(Buffer.concat([FLV_HEADER, metadata, videoHeader, keyframe(0)]));
    for (let frame = 1; frame < 20; frame++) feed.write(interframe(frame * 33));
    assert.equal(overflowed, 1);
    assert.ok(feed.cachedGopBytes <= 200);
    const late = collect();
    feed.subscribe(late.sink);
    assert.equal(late.chunks.length, 0);
    feed.write(keyframe(700));
    assert.equal(late.chunks.length, 1);
    assert.equal(late.chunks[0].key, true);
  });

  it('describes what it knows when the source ends early', async () => {
    const feed = new FlvGopFeed();
    setTimeout(() => feed.end(), 20);
    assert.deepEqual(await feed.describe(5000), { width: 0, height: 0, hasAudio: false });
  });
});

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
