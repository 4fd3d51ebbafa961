// The FLV side of SRT ingest: splitting ffmpeg's FLV into tags, and the GOP-cached feed that
// gives every subscriber a stream starting with the headers and a keyframe.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FlvReader, classifyTag, type FlvTag } from '../../ingest/srt/flv-reader.ts';
import { GopFeed, MAX_GOP_BYTES } from '../../ingest/srt/gop-feed.ts';
import { readOnMetaData } from '../../ingest/srt/flv-metadata.ts';

const HEADER = Buffer.from([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0]); // FLV v1, audio+video, PreviousTagSize0

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
  return tag(18, Buffer.concat(parts));
}

const META = metadataTag({ width: 640, height: 360, videocodecid: 7, audiocodecid: 10 });
const AAC_HEADER = tag(8, Buffer.from([0xaf, 0x00, 0x12, 0x10]));
const AVC_HEADER = tag(9, Buffer.from([0x17, 0x00, 0, 0, 0, 1, 2, 3]));
const keyframe = (ts: number, size = 100) => tag(9, Buffer.concat([Buffer.from([0x17, 0x01, 0, 0, 0]), Buffer.alloc(size)]), ts);
const interframe = (ts: number, size = 50) => tag(9, Buffer.concat([Buffer.from([0x27, 0x01, 0, 0, 0]), Buffer.alloc(size)]), ts);
const audio = (ts: number) => tag(8, Buffer.from([0xaf, 0x01, 1, 2, 3]), ts);

function collect() {
  const chunks: Array<{ bytes: Buffer; keyframe: boolean }> = [];
  return { chunks, sink: { write: (bytes: Buffer, keyframe: boolean) => { chunks.push({ bytes, keyframe }); } } };
}

function feedWith(...tags: Buffer[]): GopFeed {
  const feed = new GopFeed();
  feed.pushHeader(HEADER);
  for (const bytes of tags) feed.pushTag({ kind: classifyTag(bytes), bytes });
  return feed;
}

describe('FLV reader', () => {
  it('splits a stream cut at every possible place into the header and whole tags', () => {
    const stream = Buffer.concat([HEADER, META, AAC_HEADER, AVC_HEADER, keyframe(0), audio(10), interframe(33)]);
    for (const step of [1, 3, 7, 11, 64, stream.length]) {
      const headers: Buffer[] = [];
      const tags: FlvTag[] = [];
      const reader = new FlvReader({ header: (bytes) => headers.push(bytes), tag: (found) => tags.push(found) });
      for (let offset = 0; offset < stream.length; offset += step) reader.push(stream.subarray(offset, offset + step));
      assert.deepEqual(headers, [HEADER], `step ${step}`);
      assert.deepEqual(tags.map((found) => found.kind), ['metadata', 'audio-header', 'video-header', 'keyframe', 'frame', 'frame']);
      assert.deepEqual(Buffer.concat(tags.map((found) => found.bytes)), stream.subarray(HEADER.length));
    }
  });

  it('throws on something that is not FLV, or loses its framing', () => {
    assert.throws(() => new FlvReader({ header: () => undefined, tag: () => undefined }).push(Buffer.from('GIF89a...........')), /not an FLV/);
    const broken = keyframe(0);
    broken.writeUInt32BE(1, broken.length - 4);
    assert.throws(() => new FlvReader({ header: () => undefined, tag: () => undefined }).push(Buffer.concat([HEADER, broken])), /framing/);
  });

  it('reads the size from onMetaData', () => {
    assert.deepEqual(readOnMetaData(META), { width: 640, height: 360, videocodecid: 7, audiocodecid: 10 });
    assert.equal(readOnMetaData(tag(18, amfString('onCuePoint'))), undefined);
  });
});

describe('GOP feed', () => {
  it('gives a late subscriber the headers and the current GOP, starting at its keyframe', () => {
    const feed = feedWith(META, AAC_HEADER, AVC_HEADER, keyframe(0), interframe(33), keyframe(66), audio(70), interframe(99));
    const { chunks, sink } = collect();
    feed.subscribe(sink);
    assert.deepEqual(chunks.map((chunk) => chunk.bytes),
      [HEADER, META, AAC_HEADER, AVC_HEADER, keyframe(66), audio(70), interframe(99)]);
    assert.deepEqual(chunks.map((chunk) => chunk.keyframe), [false, false, false, true, true, false, false]);
    feed.pushTag({ kind: 'frame', bytes: interframe(132) });
    assert.deepEqual(chunks.at(-1)!.bytes, interframe(132), 'then the live tags');
  });

  it('holds a subscriber that came before any keyframe until one arrives', () => {
    const feed = new GopFeed();
    const { chunks, sink } = collect();
    const unsubscribe = feed.subscribe(sink);
    feed.pushHeader(HEADER);
    for (const bytes of [META, AVC_HEADER, audio(0), interframe(10), keyframe(20), interframe(30)]) feed.pushTag({ kind: classifyTag(bytes), bytes });
    assert.deepEqual(chunks.map((chunk) => chunk.bytes), [HEADER, META, AVC_HEADER, keyframe(20), interframe(30)]);
    unsubscribe();
    feed.pushTag({ kind: 'frame', bytes: interframe(40) });
    assert.equal(chunks.length, 5);
  });

  it('drops a GOP that outgrows the cap, and new subscribers then wait for the next keyframe', () => {
    const big = Math.floor(MAX_GOP_BYTES / 4);
    const feed = feedWith(AVC_HEADER, keyframe(0, big), interframe(1, big), interframe(2, big), interframe(3, big), interframe(4, big));
    assert.equal(feed.cachedBytes, 0);
    const { chunks, sink } = collect();
    feed.subscribe(sink);
    feed.pushTag({ kind: 'frame', bytes: interframe(5) });
    feed.pushTag({ kind: 'keyframe', bytes: keyframe(6) });
    assert.deepEqual(chunks.map((chunk) => chunk.bytes), [HEADER, AVC_HEADER, keyframe(6)]);
    assert.ok(feed.cachedBytes > 0);
  });

  it('describes the source from metadata and codec headers, without waiting once it knows', async () => {
    const feed = feedWith(META, AVC_HEADER, AAC_HEADER);
    const started = Date.now();
    assert.deepEqual(await feed.describe(5000), { width: 640, height: 360, hasAudio: true });
    assert.ok(Date.now() - started < 100);
  });

  it('waits for the video header, and gives up when the source ends', async () => {
    const feed = new GopFeed();
    const described = feed.describe(5000);
    setTimeout(() => {
      feed.pushHeader(Buffer.from([0x46, 0x4c, 0x56, 1, 1, 0, 0, 0, 9, 0, 0, 0, 0])); // video only
      feed.pushTag({ kind: 'metadata', bytes: metadataTag({ width: 320, height: 240 }) });
      feed.pushTag({ kind: 'video-header', bytes: AVC_HEADER });
    }, 20);
    assert.deepEqual(await described, { width: 320, height: 240, hasAudio: false });
    const empty = new GopFeed();
    setTimeout(() => empty.end(), 20);
    const started = Date.now();
    assert.deepEqual(await empty.describe(5000), { width: 0, height: 0, hasAudio: false });
    assert.ok(Date.now() - started < 1000);
  });

  it('keeps one failing subscriber from hurting the others', () => {
    const feed = feedWith(AVC_HEADER, keyframe(0));
    let live = false;
    feed.subscribe({ write: () => { if (live) throw new Error('broken'); } });
    live = true;
    const { chunks, sink } = collect();
    feed.subscribe(sink);
    feed.pushTag({ kind: 'frame', bytes: interframe(33) });
    assert.equal(feed.subscriberCount, 1);
    assert.deepEqual(chunks.at(-1)!.bytes, interframe(33));
  });
});
