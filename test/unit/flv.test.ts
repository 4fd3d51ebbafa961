// The FLV side of SRT and WHIP ingest: splitting ffmpeg's FLV into tags, onMetaData, and the
// GOP-cached feed that gives every subscriber a stream starting with the headers and a keyframe.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_MAX_GOP_BYTES, FLV_TAG_AUDIO, FLV_TAG_SCRIPT, FLV_TAG_VIDEO, FlvFormatError, FlvGopFeed, FlvTagReader,
  classifyTag, isVideoKeyframeTag, readOnMetaData, type FlvTag,
} from '../../ingest/flv/index.ts';

const HEADER = Buffer.from([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0]); // FLV v1, audio+video, PreviousTagSize0
const VIDEO_ONLY_HEADER = Buffer.from([0x46, 0x4c, 0x56, 1, 1, 0, 0, 0, 9, 0, 0, 0, 0]);

function tag(type: number, body: Buffer, timestamp = 0): Buffer {
  const bytes = Buffer.alloc(11 + body.length + 4);
  bytes[0] = type;
  bytes.writeUIntBE(body.length, 1, 3);
  bytes.writeUIntBE(timestamp & 0xffffff, 4, 3);
  bytes[7] = timestamp >>> 24;
  body.copy(bytes, 11);
  bytes.writeUInt32BE(11 + body.length, 11 + body.length);
  return bytes;
}

function amfString(text: string): Buffer {
  const bytes = Buffer.alloc(3 + text.length);
  bytes[0] = 2;
  bytes.writeUInt16BE(text.length, 1);
  bytes.write(text, 3, 'latin1');
  return bytes;
}

function metadataTag(values: Record<string, number>): Buffer {
  const parts = [amfString('onMetaData'), Buffer.from([8, 0, 0, 0, Object.keys(values).length])];
  for (const [key, value] of Object.entries(values)) {
    const name = Buffer.alloc(2 + key.length);
    name.writeUInt16BE(key.length, 0);
    name.write(key, 2, 'latin1');
    const number = Buffer.alloc(9);
    number.writeDoubleBE(value, 1);
    parts.push(name, number);
  }
  parts.push(Buffer.from([0, 0, 9]));
  return tag(FLV_TAG_SCRIPT, Buffer.concat(parts));
}

const META = metadataTag({ width: 640, height: 360, videocodecid: 7, audiocodecid: 10 });
const AAC_HEADER = tag(FLV_TAG_AUDIO, Buffer.from([0xaf, 0x00, 0x12, 0x10]));
const AVC_HEADER = tag(FLV_TAG_VIDEO, Buffer.from([0x17, 0x00, 0, 0, 0, 1, 2, 3]));
const keyframe = (ts: number, size = 100) => tag(FLV_TAG_VIDEO, Buffer.concat([Buffer.from([0x17, 0x01, 0, 0, 0]), Buffer.alloc(size)]), ts);
const interframe = (ts: number, size = 50) => tag(FLV_TAG_VIDEO, Buffer.concat([Buffer.from([0x27, 0x01, 0, 0, 0]), Buffer.alloc(size)]), ts);
const audio = (ts: number) => tag(FLV_TAG_AUDIO, Buffer.from([0xaf, 0x01, 1, 2, 3]), ts);

function collect() {
  const chunks: Array<{ bytes: Buffer; keyframe: boolean }> = [];
  return { chunks, sink: { write: (bytes: Buffer, keyframe: boolean) => { chunks.push({ bytes, keyframe }); } } };
}

function feedWith(...tags: Buffer[]): FlvGopFeed {
  const feed = new FlvGopFeed();
  feed.write(Buffer.concat([HEADER, ...tags]));
  return feed;
}

describe('FLV tag reader', () => {
  it('splits a stream cut at every possible place into the header and whole tags', () => {
    const stream = Buffer.concat([HEADER, META, AAC_HEADER, AVC_HEADER, keyframe(0), audio(10), interframe(33), keyframe(0x1000000 + 5)]);
    for (const step of [1, 3, 7, 11, 64, stream.length]) {
      const reader = new FlvTagReader();
      const tags: FlvTag[] = [];
      for (let offset = 0; offset < stream.length; offset += step) {
        tags.push(...reader.push(stream.subarray(offset, offset + step)));
        if (offset + step < HEADER.length) assert.equal(reader.header, undefined, `step ${step}: no header before its last byte`);
      }
      assert.deepEqual(reader.header, { bytes: HEADER, hasAudio: true, hasVideo: true }, `step ${step}`);
      assert.deepEqual(tags.map((found) => found.kind), ['metadata', 'audio-header', 'video-header', 'keyframe', 'frame', 'frame', 'keyframe']);
      assert.deepEqual(tags.map((found) => found.type), [FLV_TAG_SCRIPT, FLV_TAG_AUDIO, FLV_TAG_VIDEO, FLV_TAG_VIDEO, FLV_TAG_AUDIO, FLV_TAG_VIDEO, FLV_TAG_VIDEO]);
      assert.deepEqual(tags.map((found) => found.timestamp), [0, 0, 0, 0, 10, 33, 0x1000000 + 5], 'extended timestamp byte');
      assert.deepEqual(Buffer.concat(tags.map((found) => found.bytes)), stream.subarray(HEADER.length));
    }
  });

  it('copies each tag out of the chunks it came in', () => {
    const chunk = Buffer.concat([HEADER, keyframe(0), interframe(33)]);
    const reader = new FlvTagReader();
    const tags = reader.push(chunk);
    chunk.fill(0);
    assert.deepEqual(tags.map((found) => found.bytes), [keyframe(0), interframe(33)]);
    assert.deepEqual(reader.header?.bytes, HEADER);
  });

  it('throws on something that is not FLV, or loses its framing, and stays failed', () => {
    assert.throws(() => new FlvTagReader().push(Buffer.from('GIF89a-not-an-flv')), /not an FLV/);
    const hugeHeader = Buffer.from(HEADER);
    hugeHeader.writeUInt32BE(0x7fffffff, 5);
    assert.throws(() => new FlvTagReader().push(hugeHeader), /bad FLV header size/, 'instead of buffering 2 GiB for it');
    const broken = keyframe(0);
    broken.writeUInt32BE(1, broken.length - 4);
    assert.throws(() => new FlvTagReader().push(Buffer.concat([HEADER, broken])), /framing lost \(PreviousTagSize/);
    const reader = new FlvTagReader();
    assert.throws(() => reader.push(Buffer.concat([HEADER, keyframe(0), Buffer.from([0x33]), Buffer.alloc(20)])), FlvFormatError);
    assert.throws(() => reader.push(interframe(33)), /framing lost \(tag type 51\)/);
  });

  it('tells codec headers and keyframes from the rest', () => {
    assert.equal(classifyTag(META), 'metadata');
    assert.equal(classifyTag(tag(FLV_TAG_SCRIPT, amfString('onCuePoint'))), 'script');
    assert.equal(classifyTag(tag(FLV_TAG_AUDIO, Buffer.from([0x2f, 0x00, 1]))), 'frame', 'MP3 has no codec header');
    assert.equal(classifyTag(tag(FLV_TAG_VIDEO, Buffer.from([0x17, 0x02, 0, 0, 0]))), 'frame', 'AVC end of sequence');
    assert.equal(classifyTag(tag(FLV_TAG_VIDEO, Buffer.from([0x12, 0xaa]))), 'keyframe', 'Sorenson H.263 keyframe');
    assert.equal(classifyTag(tag(FLV_TAG_VIDEO, Buffer.alloc(0))), 'frame');
    // The sink flag, by node-media-server's convention: codec headers count as keyframes.
    assert.deepEqual([HEADER, META, AAC_HEADER, AVC_HEADER, keyframe(0), interframe(1), audio(2)].map(isVideoKeyframeTag),
      [false, false, false, true, true, false, false]);
  });

  it('reads onMetaData', () => {
    assert.deepEqual(readOnMetaData(META), { width: 640, height: 360, videocodecid: 7, audiocodecid: 10 });
    assert.equal(readOnMetaData(tag(FLV_TAG_SCRIPT, amfString('onCuePoint'))), undefined);
    const truncated = Buffer.from(META.subarray(0, META.length - 35));
    truncated.writeUIntBE(truncated.length - 11, 1, 3);
    assert.deepEqual(readOnMetaData(truncated), { width: 640, height: 360 }, 'what was read before a cut in a number');
  });
});

describe('FLV GOP feed', () => {
  it('gives a late subscriber the headers and the current GOP, starting at its keyframe', async () => {
    const feed = feedWith(META, AAC_HEADER, AVC_HEADER, keyframe(0), interframe(33), keyframe(66), audio(70), interframe(99));
    const { chunks, sink } = collect();
    feed.subscribe(sink);
    assert.deepEqual(chunks.map((chunk) => chunk.bytes),
      [HEADER, META, AAC_HEADER, AVC_HEADER, keyframe(66), audio(70), interframe(99)]);
    assert.deepEqual(chunks.map((chunk) => chunk.keyframe), [false, false, false, true, true, false, false]);
    feed.write(interframe(132));
    assert.deepEqual(chunks.at(-1), { bytes: interframe(132), keyframe: false }, 'then the live tags');
    feed.write(keyframe(165));
    assert.deepEqual(chunks.at(-1), { bytes: keyframe(165), keyframe: true });
    assert.deepEqual(await feed.describe(100), { width: 640, height: 360, hasAudio: true });
  });

  it('holds a subscriber that came before any keyframe until one arrives, then starts it there', () => {
    const feed = new FlvGopFeed();
    const early = collect();
    const unsubscribe = feed.subscribe(early.sink);
    feed.write(Buffer.concat([HEADER, META, AVC_HEADER]));
    feed.write(Buffer.concat([AAC_HEADER, audio(0), interframe(10)]));
    assert.equal(early.chunks.length, 0, 'nothing before the first keyframe');
    feed.write(Buffer.concat([keyframe(20), audio(25), interframe(30)]));
    assert.deepEqual(early.chunks.map((chunk) => chunk.bytes), [HEADER, META, AAC_HEADER, AVC_HEADER, keyframe(20), audio(25), interframe(30)]);

    const late = collect();
    feed.subscribe(late.sink);
    assert.deepEqual(late.chunks.map((chunk) => chunk.bytes), early.chunks.map((chunk) => chunk.bytes));
    unsubscribe();
    feed.write(interframe(40));
    assert.equal(early.chunks.length, 7);
    assert.equal(late.chunks.length, 8);
  });

  it('drops a GOP that outgrows the byte cap, and new subscribers then wait for the next keyframe', () => {
    const big = Math.floor(DEFAULT_MAX_GOP_BYTES / 4);
    const feed = feedWith(AVC_HEADER, keyframe(0, big), interframe(1, big), interframe(2, big), interframe(3, big), interframe(4, big));
    assert.equal(feed.cachedBytes, 0);
    const { chunks, sink } = collect();
    feed.subscribe(sink);
    feed.write(interframe(5));
    feed.write(keyframe(6));
    assert.deepEqual(chunks.map((chunk) => chunk.bytes), [HEADER, AVC_HEADER, keyframe(6)]);
    assert.ok(feed.cachedBytes > 0);
  });

  it('takes its caps from options and says when a GOP overflows', () => {
    const overflows: number[] = [];
    const feed = new FlvGopFeed({ maxGopBytes: 200, onGopOverflow: (bytes) => overflows.push(bytes) });
    feed.write(Buffer.concat([HEADER, META, AVC_HEADER, keyframe(0, 1)]));
    for (let frame = 1; frame < 20; frame++) feed.write(interframe(frame * 33, 1));
    assert.equal(overflows.length, 1, 'once per GOP');
    assert.ok(overflows[0] > 200);
    assert.equal(feed.cachedBytes, 0);
    const late = collect();
    feed.subscribe(late.sink);
    assert.equal(late.chunks.length, 0);
    feed.write(keyframe(700, 1));
    assert.deepEqual(late.chunks.map((chunk) => chunk.bytes), [HEADER, META, AVC_HEADER, keyframe(700, 1)]);

    const counted = new FlvGopFeed({ maxGopTags: 3 });
    counted.write(Buffer.concat([HEADER, AVC_HEADER, keyframe(0), interframe(1), interframe(2)]));
    assert.ok(counted.cachedBytes > 0);
    counted.write(interframe(3));
    assert.equal(counted.cachedBytes, 0);
  });

  it('tells its owner of each subscriber and keyframe (for WHIP keyframe requests)', () => {
    const events: string[] = [];
    const feed = new FlvGopFeed({ onSubscribe: () => events.push('subscribe'), onKeyframe: () => events.push('keyframe') });
    feed.write(Buffer.concat([HEADER, META, AVC_HEADER, interframe(0)]));
    feed.subscribe(collect().sink);
    feed.write(Buffer.concat([keyframe(10), interframe(20), keyframe(30)]));
    assert.deepEqual(events, ['subscribe', 'keyframe', 'keyframe']);
  });

  it('describes the source from metadata and codec headers, without waiting once it knows', async () => {
    const feed = feedWith(META, AVC_HEADER, AAC_HEADER);
    const started = Date.now();
    assert.deepEqual(await feed.describe(5000), { width: 640, height: 360, hasAudio: true });
    assert.ok(Date.now() - started < 100);
  });

  it('waits for the video header, and gives up when the source ends', async () => {
    const feed = new FlvGopFeed();
    const described = feed.describe(5000);
    setTimeout(() => feed.write(Buffer.concat([VIDEO_ONLY_HEADER, metadataTag({ width: 320, height: 240 }), AVC_HEADER])), 20);
    assert.deepEqual(await described, { width: 320, height: 240, hasAudio: false });
    const empty = new FlvGopFeed();
    setTimeout(() => empty.end(), 20);
    const started = Date.now();
    assert.deepEqual(await empty.describe(5000), { width: 0, height: 0, hasAudio: false });
    assert.ok(Date.now() - started < 1000);
  });

  it('waits a little for an audio header the source promised, and ignores a senseless size', async () => {
    const feed = new FlvGopFeed();
    feed.write(Buffer.concat([VIDEO_ONLY_HEADER, metadataTag({ width: Number.NaN, height: 240.4, audiocodecid: 10 }), AVC_HEADER]));
    setTimeout(() => feed.write(AAC_HEADER), 20);
    const started = Date.now();
    assert.deepEqual(await feed.describe(5000), { width: 0, height: 240, hasAudio: true });
    assert.ok(Date.now() - started < 250, 'woken by the audio header');
  });

  it('keeps one failing subscriber from hurting the others', () => {
    const feed = feedWith(AVC_HEADER, keyframe(0));
    let live = false;
    feed.subscribe({ write: () => { if (live) throw new Error('broken'); } });
    live = true;
    const { chunks, sink } = collect();
    feed.subscribe(sink);
    feed.write(interframe(33));
    assert.equal(feed.subscriberCount, 1);
    assert.deepEqual(chunks.at(-1)!.bytes, interframe(33));
  });

  it('ends on unreadable FLV, and releases its GOP when the source ends', async () => {
    const feed = feedWith(META, AVC_HEADER, keyframe(0));
    assert.throws(() => feed.write(Buffer.from([0x33, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])), FlvFormatError);
    assert.equal(feed.ended, true);
    assert.equal(feed.cachedBytes, 0);
    feed.write(interframe(33)); // ignored, no second error
    const { chunks, sink } = collect();
    feed.subscribe(sink);
    assert.equal(chunks.length, 0);
    assert.deepEqual(await feed.describe(5000), { width: 640, height: 360, hasAudio: true });
  });
});
