// fMP4 parsing against real ffmpeg output fed in random chunks, plus hand-built boxes for the
// layouts ffmpeg does not produce (64-bit sizes, tfdt v0, duration/flag defaults, corrupt input).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  BoxReader, Fmp4ParseError, Fmp4StreamParser, codecsOf, parseFragment,
  type Fmp4Event, type Fragment, type InitSegment,
} from '../../packager/fmp4/index.ts';

const execFileAsync = promisify(execFile);
const SECONDS = 6;
const FRAGMENT_ARGS = ['-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof+dash', '-frag_duration', '250000'];
const VIDEO_ARGS = ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-force_key_frames', 'expr:gte(t,n_forced*1)'];

let dir = '';
let audioVideo: Uint8Array;
let videoOnly: Uint8Array;

async function encode(name: string, withAudio: boolean): Promise<Uint8Array> {
  const inputs = ['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30', ...(withAudio ? ['-f', 'lavfi', '-i', 'sine'] : [])];
  const output = join(dir, name);
  await execFileAsync('ffmpeg', ['-v', 'error', '-y', ...inputs, '-t', String(SECONDS), ...VIDEO_ARGS, ...(withAudio ? ['-c:a', 'aac'] : []), ...FRAGMENT_ARGS, output]);
  return readFileSync(output);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'livecast-fmp4-'));
  [audioVideo, videoOnly] = await Promise.all([encode('av.mp4', true), encode('v.mp4', false)]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Deterministic pseudo-random sizes (mulberry32), so a failure replays identically. */
function randomSizes(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The first `oneByteSpan` bytes one at a time, then random chunks up to 70 000 bytes. */
function feed(parser: Fmp4StreamParser, bytes: Uint8Array, seed: number, oneByteSpan = 3000): Fmp4Event[] {
  const random = randomSizes(seed);
  const events: Fmp4Event[] = [];
  let offset = 0;
  while (offset < bytes.byteLength) {
    const size = offset < oneByteSpan ? 1 : 1 + Math.floor(random() * 70_000);
    events.push(...parser.push(bytes.subarray(offset, offset + size)));
    offset += size;
  }
  return events;
}

function split(events: Fmp4Event[]): { inits: InitSegment[]; fragments: Fragment[] } {
  return {
    inits: events.flatMap((event) => (event.type === 'init' ? [event.init] : [])),
    fragments: events.flatMap((event) => (event.type === 'fragment' ? [event.fragment] : [])),
  };
}

function seconds(fragments: Fragment[], trackId: number, timescale: number): number {
  return fragments.reduce((total, fragment) => total + (fragment.tracks.find((track) => track.trackId === trackId)?.duration ?? 0), 0) / timescale;
}

describe('fMP4 from ffmpeg', () => {
  it('reads the init segment: codecs, size, timescales', () => {
    const { inits } = split(feed(new Fmp4StreamParser(), audioVideo, 1));
    assert.equal(inits.length, 1);
    const [video, audio] = inits[0].tracks;
    assert.equal(video.kind, 'video');
    assert.equal(video.handler, 'vide');
    assert.match(video.codec, /^avc1\.(42c0|4d40|6400)1e$/);
    assert.equal(video.width, 640);
    assert.equal(video.height, 360);
    assert.equal(video.timescale % 30, 0, 'a 30 fps timescale');
    assert.equal(audio.kind, 'audio');
    assert.equal(audio.codec, 'mp4a.40.2');
    assert.equal(audio.timescale, 44100);
    assert.equal(codecsOf(inits[0]), `${video.codec},mp4a.40.2`);
    // The init segment is ftyp + moov exactly as ffmpeg wrote them.
    const initBytes = inits[0].bytes;
    assert.ok(Buffer.from(initBytes).equals(audioVideo.subarray(0, initBytes.byteLength)));
  });

  it('splits fragments identically whatever the chunking (1-byte chunks included)', () => {
    const whole = split(new Fmp4StreamParser().push(audioVideo)).fragments;
    const chunked = split(feed(new Fmp4StreamParser(), audioVideo, 7, 5000)).fragments;
    assert.equal(whole.length, 24, 'six seconds of ~250 ms fragments');
    assert.equal(chunked.length, whole.length);
    chunked.forEach((fragment, index) => assert.ok(Buffer.from(fragment.bytes).equals(whole[index].bytes), `fragment ${index}`));
    assert.ok(chunked.every((fragment) => fragment.bytes.byteLength > 100 && fragment.tracks.length === 2));
  });

  it('times fragments: durations sum to the encoded length and decode times are contiguous', () => {
    const { inits, fragments } = split(feed(new Fmp4StreamParser(), audioVideo, 3));
    const [video, audio] = inits[0].tracks;
    assert.ok(Math.abs(seconds(fragments, video.id, video.timescale) - SECONDS) < 0.05);
    assert.ok(Math.abs(seconds(fragments, audio.id, audio.timescale) - SECONDS) < 0.1);
    for (let index = 1; index < fragments.length; index++) {
      const previous = fragments[index - 1].tracks[0];
      assert.equal(fragments[index].tracks[0].baseDecodeTime, previous.baseDecodeTime + previous.duration);
    }
  });

  it('finds the forced keyframes: one fragment per second starts with one, a second apart', () => {
    const { inits, fragments } = split(feed(new Fmp4StreamParser(), audioVideo, 5));
    const video = inits[0].tracks[0];
    const keyframeTimes = fragments.filter((fragment) => fragment.startsWithKeyframe).map((fragment) => fragment.tracks[0].baseDecodeTime);
    assert.equal(keyframeTimes.length, SECONDS);
    assert.equal(keyframeTimes[0], 0);
    for (let index = 2; index < keyframeTimes.length; index++) {
      assert.equal(keyframeTimes[index] - keyframeTimes[index - 1], video.timescale);
    }
    assert.ok(fragments.filter((fragment) => !fragment.startsWithKeyframe).every((fragment) => !fragment.tracks[0].startsWithSyncSample));
  });

  it('reads a video-only stream', () => {
    const { inits, fragments } = split(feed(new Fmp4StreamParser(), videoOnly, 11));
    assert.equal(inits[0].tracks.length, 1);
    assert.match(codecsOf(inits[0]), /^avc1\.[0-9a-f]{6}$/);
    assert.equal(fragments.filter((fragment) => fragment.startsWithKeyframe).length, SECONDS);
    assert.ok(Math.abs(seconds(fragments, inits[0].tracks[0].id, inits[0].tracks[0].timescale) - SECONDS) < 0.05);
  });

  it('skips styp, prft, sidx, free and a 64-bit-sized box between fragments', () => {
    const clean = split(new Fmp4StreamParser().push(audioVideo)).fragments;
    const initEnd = split(new Fmp4StreamParser().push(audioVideo)).inits[0].bytes.byteLength;
    const extras = concat(box('styp', text('msdh'), u32(0), text('msdhmsix')), fullBox('prft', 1, 0, u32(1), u32(0, 0), u32(0, 0)), largeBox('free', new Uint8Array(9)));
    const stream = concat(audioVideo.subarray(0, initEnd), extras, audioVideo.subarray(initEnd));
    const parser = new Fmp4StreamParser();
    const { fragments } = split(feed(parser, stream, 13));
    assert.equal(fragments.length, clean.length);
    assert.ok(parser.skippedBoxes >= 3);
  });
});

describe('box reader', () => {
  it('reads a largesize box fed one byte at a time', () => {
    const reader = new BoxReader();
    const large = largeBox('free', new Uint8Array([1, 2, 3]));
    const boxes = [...large, ...box('skip')].flatMap((byte) => reader.push(new Uint8Array([byte])));
    assert.deepEqual(boxes.map((found) => [found.type, found.headerSize, found.bytes.byteLength]), [['free', 16, 19], ['skip', 8, 8]]);
    assert.equal(reader.bufferedBytes, 0);
  });

  it('refuses an absurd size with a clear error, then stays failed', () => {
    const reader = new BoxReader({ maxBoxBytes: 1024 });
    const header = concat(u32(5_000_000), text('mdat'));
    assert.throws(() => reader.push(header), (error: unknown) => error instanceof Fmp4ParseError && /5000000 bytes, over the 1024-byte limit/.test(error.message));
    assert.throws(() => reader.push(new Uint8Array(8)), Fmp4ParseError);
    assert.equal(reader.bufferedBytes, 0, 'nothing held after a failure');
  });

  it('refuses a 64-bit size beyond the limit and a size-0 box', () => {
    const huge = concat(u32(1), text('mdat'), u32(0x10, 0));
    assert.throws(() => new BoxReader().push(huge), /over the .*-byte limit/);
    assert.throws(() => new BoxReader().push(concat(u32(0), text('mdat'))), /size 0/);
    assert.throws(() => new BoxReader().push(concat(u32(4), text('free'))), /smaller than its own header/);
  });
});

describe('corrupt input', () => {
  it('garbage gives a clear Fmp4ParseError, never a stray exception', () => {
    const garbage = new TextEncoder().encode('HTTP/1.1 200 OK\r\ncontent-type: text/html\r\n\r\n<html>');
    const parser = new Fmp4StreamParser();
    assert.throws(() => parser.push(garbage), (error: unknown) => error instanceof Fmp4ParseError && /not a four-character code|over the/.test(error.message));
    assert.throws(() => parser.push(audioVideo), Fmp4ParseError, 'stays failed');
    const random = randomSizes(99);
    const noise = Uint8Array.from({ length: 4096 }, () => Math.floor(random() * 256));
    for (let attempt = 0; attempt < 50; attempt++) {
      const start = Math.floor(random() * 3000);
      try {
        new Fmp4StreamParser().push(noise.subarray(start));
      } catch (error) {
        assert.ok(error instanceof Fmp4ParseError, `got ${String(error)}`);
      }
    }
  });

  it('a stream cut anywhere and spliced with garbage only ever fails with Fmp4ParseError', () => {
    const random = randomSizes(4242);
    for (let attempt = 0; attempt < 40; attempt++) {
      const cut = 1 + Math.floor(random() * (audioVideo.byteLength - 1));
      const spliced = concat(audioVideo.subarray(0, cut), Uint8Array.from({ length: 64 }, () => Math.floor(random() * 256)), audioVideo.subarray(cut));
      try {
        feed(new Fmp4StreamParser(), spliced, attempt, 0);
      } catch (error) {
        assert.ok(error instanceof Fmp4ParseError, `cut at ${cut}: ${String(error)}`);
      }
    }
  });

  it('says what is wrong with a stream that is not fragmented MP4', () => {
    assert.throws(() => new Fmp4StreamParser().push(box('mdat', new Uint8Array(4))), /not fragmented MP4/);
    assert.throws(() => new Fmp4StreamParser().push(box('moof')), /before any 'moov'/);
  });

  it('a trun whose sample count lies is refused before any loop', () => {
    const init = syntheticInit();
    const moof = box('moof', box('traf', tfhd(1, 0), tfdt(0, 0), trun(0x100, 0xffffffff, [])));
    assert.throws(() => parseFragment(moof, box('mdat'), init), /samples do not fit/);
  });

  it('a fragment for a track the init does not declare is refused', () => {
    const moof = box('moof', box('traf', tfhd(9, 0), tfdt(0, 0), trun(0, 1, [])));
    assert.throws(() => parseFragment(moof, box('mdat'), syntheticInit()), /track 9/);
  });

  it('an absolute base-data-offset is refused (the fragment would not stand alone)', () => {
    const moof = box('moof', box('traf', fullBox('tfhd', 0, 0x000001, u32(1), u32(0, 0)), tfdt(0, 0), trun(0, 1, [])));
    assert.throws(() => parseFragment(moof, box('mdat'), syntheticInit()), /default_base_moof/);
  });
});

describe('fragment fields without ffmpeg', () => {
  it('tfdt v0, tfhd default duration × sample count, tfhd default flags', () => {
    const moof = box('moof', fullBox('mfhd', 0, 0, u32(7)),
      box('traf', tfhd(1, 0x000008 | 0x000020, u32(512), u32(0x00010000)), tfdt(0, 90_000), trun(0, 10, [])));
    const fragment = parseFragment(moof, box('mdat', new Uint8Array(3)), syntheticInit());
    assert.equal(fragment.sequenceNumber, 7);
    assert.deepEqual(fragment.tracks, [{ trackId: 1, baseDecodeTime: 90_000, duration: 5120, sampleCount: 10, startsWithSyncSample: false }]);
    assert.equal(fragment.startsWithKeyframe, false);
  });

  it('first-sample flags override the defaults; tfdt v1', () => {
    const moof = box('moof', box('traf', tfhd(1, 0x000008 | 0x000020, u32(512), u32(0x01010000)), tfdt(1, 2 ** 40), trun(0x004, 3, [], 0x02000000)));
    const fragment = parseFragment(moof, box('mdat'), syntheticInit());
    assert.equal(fragment.tracks[0].baseDecodeTime, 2 ** 40);
    assert.equal(fragment.startsWithKeyframe, true);
  });

  it('per-sample durations and flags; trex defaults when tfhd has none; audio-only streams are always independent', () => {
    const moof = box('moof', box('traf', tfhd(1, 0), tfdt(0, 0), trun(0x100 | 0x400, 2, [[100, 0x02000000], [150, 0x01010000]])));
    const fragment = parseFragment(moof, box('mdat'), syntheticInit());
    assert.equal(fragment.tracks[0].duration, 250);
    assert.equal(fragment.startsWithKeyframe, true);
    const audioOnly: InitSegment = { bytes: new Uint8Array(), tracks: [{ ...syntheticInit().tracks[0], kind: 'audio', handler: 'soun', defaults: { sampleDuration: 1024, sampleFlags: 0 } }] };
    const audio = parseFragment(box('moof', box('traf', tfhd(1, 0), tfdt(0, 0), trun(0, 4, []))), box('mdat'), audioOnly);
    assert.equal(audio.tracks[0].duration, 4096);
    assert.equal(audio.startsWithKeyframe, true);
  });
});

// ── hand-built boxes ──────────────────────────────────────────────────────────────────────

function syntheticInit(): InitSegment {
  return {
    bytes: new Uint8Array(),
    tracks: [{ id: 1, kind: 'video', handler: 'vide', timescale: 15360, codec: 'avc1.64001f', width: 1280, height: 720, defaults: { sampleDuration: 512, sampleFlags: 0x01010000 } }],
  };
}

function concat(...pieces: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(pieces.reduce((total, piece) => total + piece.byteLength, 0));
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.byteLength;
  }
  return out;
}

function u32(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((value, index) => view.setUint32(index * 4, value >>> 0));
  return out;
}

function text(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

function box(type: string, ...payload: Uint8Array[]): Uint8Array {
  const body = concat(...payload);
  return concat(u32(body.byteLength + 8), text(type), body);
}

function largeBox(type: string, payload: Uint8Array): Uint8Array {
  return concat(u32(1), text(type), u32(0, payload.byteLength + 16), payload);
}

function fullBox(type: string, version: number, flags: number, ...payload: Uint8Array[]): Uint8Array {
  return box(type, u32(((version << 24) | flags) >>> 0), ...payload);
}

function tfhd(trackId: number, flags: number, ...fields: Uint8Array[]): Uint8Array {
  return fullBox('tfhd', 0, 0x020000 | flags, u32(trackId), ...fields);
}

function tfdt(version: 0 | 1, time: number): Uint8Array {
  return version === 1 ? fullBox('tfdt', 1, 0, u32(Math.floor(time / 2 ** 32), time % 2 ** 32)) : fullBox('tfdt', 0, 0, u32(time));
}

/** samples: [duration, flags] pairs for the per-sample fields the flags announce. */
function trun(flags: number, sampleCount: number, samples: Array<[number, number]>, firstSampleFlags?: number): Uint8Array {
  const fields: number[] = [];
  for (const [duration, sampleFlags] of samples) {
    if (flags & 0x100) fields.push(duration);
    if (flags & 0x400) fields.push(sampleFlags);
  }
  const first = flags & 0x004 ? [firstSampleFlags ?? 0] : [];
  return fullBox('trun', 0, flags, u32(sampleCount, ...first, ...fields));
}
