// Media and master playlists in every variant, each parsed by hls-parser in strict mode (it
// throws on spec violations), plus the URI scheme, delivery directives and latency profiles.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import HLS from 'hls-parser';
import {
  LiveRendition, latencyProfile, parseDeliveryDirectives, parseMediaUri, partUri, segmentUri, initUri, variantUri,
  writeMasterPlaylist, writeMediaPlaylist, type LatencyProfile, type MediaPlaylistOptions, type SegmentInfo,
} from '../../packager/hls/index.ts';
import type { InitSegment } from '../../packager/fmp4/index.ts';

HLS.setOptions({ strictMode: true });

type Parsed = ReturnType<typeof HLS.parse>;
type MediaPlaylist = Extract<Parsed, { isMasterPlaylist: false }>;
type MasterPlaylist = Extract<Parsed, { isMasterPlaylist: true }>;

const ANCHOR_MS = Date.UTC(2026, 10, 29, 12, 0, 0);
/** An LL profile with round numbers: 2 s segments of four 0.5 s parts. */
const LL: LatencyProfile = { ...latencyProfile(1), segmentSeconds: 2, partSeconds: 0.5, partHoldBackSeconds: 2 };
const PLAIN: LatencyProfile = { ...latencyProfile(2), segmentSeconds: 2, partSeconds: 0.5, holdBackSeconds: 6 };

function syntheticInit(tag = 0): InitSegment {
  return {
    bytes: Uint8Array.of(0, 0, 0, 8, 0x6d, 0x6f, 0x6f, 0x76, tag),
    tracks: [{ id: 1, kind: 'video', handler: 'vide', timescale: 90_000, codec: 'avc1.64001f', width: 1280, height: 720, defaults: { sampleDuration: 0, sampleFlags: 0 } }],
  };
}

function newRendition(profile: LatencyProfile, options: { playlistSegments?: number } = {}): LiveRendition {
  const rendition = new LiveRendition({ profile, now: () => ANCHOR_MS, ...options });
  rendition.acceptInit(syntheticInit());
  return rendition;
}

/** `seconds` of parts of `partSeconds` from media time `start`, a keyframe every segment target. */
function feed(rendition: LiveRendition, seconds: number, start = 0, partSeconds = rendition.profile.partSeconds): void {
  const perKeyframe = Math.round(rendition.profile.segmentSeconds / partSeconds);
  const count = Math.round(seconds / partSeconds);
  for (let index = 0; index < count; index++) {
    rendition.acceptChunk({ bytes: new Uint8Array(100), startSeconds: start + index * partSeconds, durationSeconds: partSeconds, independent: index % perKeyframe === 0 });
  }
}

function parseMedia(text: string): MediaPlaylist {
  const playlist = HLS.parse(text);
  assert.ok(!playlist.isMasterPlaylist);
  return playlist as MediaPlaylist;
}

function playlistOf(rendition: LiveRendition, options?: MediaPlaylistOptions): { text: string; parsed: MediaPlaylist } {
  const text = rendition.playlist(options);
  return { text, parsed: parseMedia(text) };
}

describe('LL-HLS media playlist', () => {
  it('full playlist: server control, part info, map, date-time, parts for the newest segments, preload hint', () => {
    const rendition = newRendition(LL);
    feed(rendition, 13); // six complete segments and two parts of the seventh
    const { text, parsed } = playlistOf(rendition);
    assert.equal(parsed.version, 9);
    assert.equal(parsed.targetDuration, 2);
    assert.deepEqual(parsed.lowLatencyCompatibility, { canBlockReload: true, canSkipUntil: 12, holdBack: 6, partHoldBack: 2 });
    assert.equal(parsed.partTargetDuration, 0.5);
    assert.equal(parsed.mediaSequenceBase, 0);
    assert.equal(parsed.discontinuitySequenceBase, 0);
    assert.equal(parsed.segments.length, 7, 'six complete segments and the open one');
    assert.equal(parsed.segments[0].map.uri, 'init-0.mp4');
    assert.deepEqual(parsed.segments.slice(0, 6).map((segment) => segment.uri), [0, 1, 2, 3, 4, 5].map(segmentUri));
    assert.ok(parsed.segments.slice(0, 6).every((segment) => segment.duration === 2));
    assert.equal(parsed.segments[3].programDateTime?.getTime(), ANCHOR_MS + 6000);
    // Parts: PART-HOLD-BACK (2 s) plus a target duration of margin, so the open segment and two complete ones.
    assert.deepEqual(parsed.segments.map((segment) => segment.parts.length), [0, 0, 0, 0, 4, 4, 3]);
    assert.deepEqual(parsed.segments[5].parts.map((part) => [part.uri, part.duration, part.independent ?? false]), [
      [partUri(20), 0.5, true], [partUri(21), 0.5, false], [partUri(22), 0.5, false], [partUri(23), 0.5, false],
    ]);
    const hint = parsed.segments[6].parts.at(-1);
    assert.deepEqual([hint?.hint, hint?.uri], [true, partUri(26)]);
    assert.match(text, /#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=2\.000,HOLD-BACK=6\.000,CAN-SKIP-UNTIL=12\.0\n/);
    assert.match(text, /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-26\.m4s"\n$/);
  });

  it('delta update: _HLS_skip replaces the segments before the skip boundary', () => {
    const rendition = newRendition(LL, { playlistSegments: 10 });
    feed(rendition, 25); // segments 2..11 listed (20 s) + 1 s open
    const full = playlistOf(rendition).parsed;
    const { text, parsed } = playlistOf(rendition, { deltaUpdate: true });
    // 21 s listed, boundary 12 s from the end: the four segments ending by 9 s go.
    assert.match(text, /#EXT-X-SKIP:SKIPPED-SEGMENTS=4\n/);
    assert.equal(parsed.skip, 4);
    assert.equal(parsed.mediaSequenceBase, full.mediaSequenceBase);
    assert.equal(parsed.segments[0].mediaSequenceNumber, 6);
    assert.equal(parsed.segments[0].map.uri, 'init-0.mp4', 'the map is repeated for the first segment after the skip');
    assert.deepEqual(parsed.segments.map((segment) => segment.uri), full.segments.slice(4).map((segment) => segment.uri));
  });

  it('delta update: a playlist too short to skip anything stays whole', () => {
    const rendition = newRendition(LL);
    feed(rendition, 13);
    const { text } = playlistOf(rendition, { deltaUpdate: true });
    assert.doesNotMatch(text, /EXT-X-SKIP/);
    assert.equal(text, rendition.playlist());
  });

  it('delta update: never skips past a discontinuity', () => {
    const rendition = newRendition(LL, { playlistSegments: 10 });
    feed(rendition, 5);
    rendition.restartInput({ wallClockAnchorMs: ANCHOR_MS + 5000 });
    feed(rendition, 20);
    const { text, parsed } = playlistOf(rendition, { deltaUpdate: true });
    // The boundary would allow five (segments 2..6 end by 9 s of 21); segment 3 carries the tag.
    assert.match(text, /#EXT-X-MEDIA-SEQUENCE:2\n#EXT-X-DISCONTINUITY-SEQUENCE:0\n#EXT-X-SKIP:SKIPPED-SEGMENTS=1\n#EXT-X-DISCONTINUITY\n/);
    assert.equal(parsed.segments[0].discontinuity, true);
  });

  it('measures PART-TARGET and raises PART-HOLD-BACK and TARGETDURATION to what the media needs', () => {
    const rendition = newRendition(latencyProfile(3)); // 1 s segments, 0.25 s parts configured
    const ffmpegPart = 4 / 15; // 0.2667 s: ffmpeg cuts at the first frame past -frag_duration
    const keyframes = [0, 4, 10, 11]; // the third keyframe comes late: a 1.6 s segment
    for (let index = 0; index < 12; index++) {
      rendition.acceptChunk({ bytes: new Uint8Array(10), startSeconds: index * ffmpegPart, durationSeconds: ffmpegPart, independent: keyframes.includes(index) });
    }
    const { text, parsed } = playlistOf(rendition);
    assert.match(text, /#EXT-X-PART-INF:PART-TARGET=0\.267\n/);
    assert.equal(parsed.lowLatencyCompatibility?.partHoldBack, 0.801);
    assert.equal(parsed.targetDuration, 2);
    assert.equal(parsed.lowLatencyCompatibility?.holdBack, 6);
  });

  it('rendition reports for the siblings', () => {
    const rendition = newRendition(LL);
    feed(rendition, 5);
    const { parsed } = playlistOf(rendition, { renditionReports: [{ index: 1, lastMsn: 2, lastPart: 1 }, { index: 2, lastMsn: 2, lastPart: 0 }] });
    assert.deepEqual(parsed.renditionReports.map((report) => [report.uri, report.lastMSN, report.lastPart]), [['../1/index.m3u8', 2, 1], ['../2/index.m3u8', 2, 0]]);
    assert.deepEqual(rendition.position, { lastMsn: 2, lastPart: 1 });
  });

  it('ended: EXT-X-ENDLIST, the open segment completed, no preload hint', () => {
    const rendition = newRendition(LL);
    feed(rendition, 5);
    rendition.end();
    const { text, parsed } = playlistOf(rendition);
    assert.equal(parsed.endlist, true);
    assert.doesNotMatch(text, /PRELOAD-HINT/);
    assert.deepEqual(parsed.segments.map((segment) => segment.duration), [2, 2, 1]);
    assert.equal(parsed.segments.at(-1)?.uri, segmentUri(2));
  });

  it('discontinuities: tag, new map, and a discontinuity sequence that stays right as segments slide out', () => {
    const rendition = newRendition(LL, { playlistSegments: 4 });
    feed(rendition, 4);
    rendition.restartInput({ wallClockAnchorMs: ANCHOR_MS + 60_000 });
    rendition.acceptInit(syntheticInit(1));
    feed(rendition, 4.5);
    const { text, parsed } = playlistOf(rendition);
    assert.match(text, /seg-1\.m4s\n#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="init-1\.mp4"\n#EXT-X-PROGRAM-DATE-TIME:2026-11-29T12:01:00\.000Z\n/);
    assert.deepEqual(parsed.segments.map((segment) => segment.discontinuitySequence), [0, 0, 1, 1, 1]);
    // Reload after reload, every segment keeps its discontinuity sequence number.
    const seen = new Map<string, number>();
    const headers: number[] = [];
    for (let step = 0; step < 8; step++) {
      const playlist = playlistOf(rendition).parsed;
      headers.push(playlist.discontinuitySequenceBase ?? 0);
      for (const segment of playlist.segments.filter((candidate) => candidate.uri)) {
        assert.equal(seen.get(segment.uri) ?? segment.discontinuitySequence, segment.discontinuitySequence, segment.uri);
        seen.set(segment.uri, segment.discontinuitySequence);
      }
      feed(rendition, 2, 100 + step * 2);
    }
    assert.equal(headers[0], 0);
    assert.equal(headers.at(-1), 1, 'incremented once the discontinuity left the window');
    assert.doesNotMatch(rendition.playlist(), /EXT-X-DISCONTINUITY\n/);
  });

  it('with no open segment, parts stay on the two newest segments (the preload hint is the third)', () => {
    const segments: SegmentInfo[] = Array.from({ length: 5 }, (_, msn) => ({
      msn, discontinuity: false, discontinuitySequence: 0, initVersion: 0, startSeconds: msn, programDateTimeMs: undefined, durationSeconds: 1, independent: true,
      parts: [0, 1, 2, 3].map((index) => ({ number: msn * 4 + index, msn, index, startSeconds: msn + index / 4, durationSeconds: 0.25, independent: index === 0 })),
    }));
    const input = { lowLatency: true, targetDurationSeconds: 1, partTargetSeconds: 0.25, partHoldBackSeconds: 3, holdBackSeconds: 3, segments, openSegment: undefined, nextPartNumber: 20, ended: false };
    const parsed = parseMedia(writeMediaPlaylist(input));
    assert.deepEqual(parsed.segments.map((segment) => segment.parts.length), [0, 0, 0, 4, 4, 1]);
    assert.deepEqual(parseMedia(writeMediaPlaylist({ ...input, ended: true })).segments.map((segment) => segment.parts.length), [0, 0, 4, 4, 4]);
  });

  it('before any media: an empty playlist that still parses', () => {
    const rendition = new LiveRendition({ profile: LL });
    const parsed = parseMedia(rendition.playlist());
    assert.equal(parsed.mediaSequenceBase, 0);
    assert.equal(parsed.segments.filter((segment) => segment.uri).length, 0);
  });

  it('every latency mode gives a strict-valid playlist, live and ended', () => {
    for (const mode of [1, 2, 3] as const) {
      const profile = latencyProfile(mode);
      const rendition = newRendition(profile);
      feed(rendition, profile.segmentSeconds * 4 + profile.partSeconds);
      parseMedia(rendition.playlist({ deltaUpdate: true, renditionReports: [{ index: 9, lastMsn: 3, lastPart: 0 }] }));
      rendition.end();
      assert.equal(parseMedia(rendition.playlist()).endlist, true);
    }
  });
});

describe('plain (high-latency) media playlist', () => {
  it('no parts, hints, server control or reports; the open segment is not listed', () => {
    const rendition = newRendition(PLAIN);
    feed(rendition, 9);
    const { text, parsed } = playlistOf(rendition, { deltaUpdate: true, renditionReports: [{ index: 1, lastMsn: 3 }] });
    for (const tag of ['EXT-X-PART', 'EXT-X-PRELOAD-HINT', 'EXT-X-SERVER-CONTROL', 'EXT-X-SKIP', 'EXT-X-RENDITION-REPORT']) assert.doesNotMatch(text, new RegExp(tag));
    assert.equal(parsed.version, 6);
    assert.equal(parsed.segments.length, 4);
    assert.ok(text.endsWith('seg-3.m4s\n'));
    assert.deepEqual(rendition.position, { lastMsn: 3 });
  });

  it('the real HIGH_LATENCY profile: 6 s target, 18 s hold-back by default', () => {
    const rendition = newRendition(latencyProfile(2));
    feed(rendition, 13, 0, 1);
    const { parsed } = playlistOf(rendition);
    assert.equal(parsed.targetDuration, 6);
    assert.deepEqual(parsed.segments.map((segment) => segment.duration), [6, 6]);
  });
});

describe('master playlist', () => {
  it('one variant per rendition, with bandwidth, resolution, codecs and frame rate', () => {
    const text = writeMasterPlaylist([
      { index: 0, bandwidth: 2_800_000, averageBandwidth: 2_400_000.4, codecs: 'avc1.64001f,mp4a.40.2', width: 1280, height: 720, frameRate: 30 },
      { index: 1, bandwidth: 1_200_000, codecs: 'avc1.4d401e,mp4a.40.2', width: 640, height: 360 },
    ]);
    const parsed = HLS.parse(text) as MasterPlaylist;
    assert.ok(parsed.isMasterPlaylist);
    assert.deepEqual(parsed.variants.map((variant) => [variant.uri, variant.bandwidth, variant.averageBandwidth, variant.codecs, variant.resolution, variant.frameRate]), [
      ['0/index.m3u8', 2_800_000, 2_400_001, 'avc1.64001f,mp4a.40.2', { width: 1280, height: 720 }, 30],
      ['1/index.m3u8', 1_200_000, undefined, 'avc1.4d401e,mp4a.40.2', { width: 640, height: 360 }, undefined],
    ]);
    assert.throws(() => writeMasterPlaylist([]), /at least one variant/);
  });
});

describe('URIs, directives, profiles', () => {
  it('builds and parses the resource names', () => {
    assert.deepEqual([initUri(2), segmentUri(17), partUri(170), variantUri(1)], ['init-2.mp4', 'seg-17.m4s', 'part-170.m4s', '1/index.m3u8']);
    assert.deepEqual(parseMediaUri('index.m3u8'), { kind: 'playlist' });
    assert.deepEqual(parseMediaUri('init-2.mp4'), { kind: 'init', version: 2 });
    assert.deepEqual(parseMediaUri('seg-17.m4s'), { kind: 'segment', msn: 17 });
    assert.deepEqual(parseMediaUri('part-0.m4s'), { kind: 'part', number: 0 });
    for (const bad of ['seg-017.m4s', 'seg-.m4s', '../seg-1.m4s', 'seg-1.m4s?x', 'part-1.2.m4s', 'seg-1234567890123456.m4s', 'master.m3u8']) {
      assert.equal(parseMediaUri(bad), undefined, bad);
    }
  });

  it('parses _HLS_msn, _HLS_part and _HLS_skip, refusing what the spec calls a 400', () => {
    assert.deepEqual(parseDeliveryDirectives({}), { ok: true, directives: { msn: undefined, part: undefined, skip: false } });
    assert.deepEqual(parseDeliveryDirectives({ _HLS_msn: '12', _HLS_part: '3', _HLS_skip: 'YES' }), { ok: true, directives: { msn: 12, part: 3, skip: true } });
    assert.equal(parseDeliveryDirectives({ _HLS_skip: 'v2' }).ok, true);
    for (const bad of [{ _HLS_part: '1' }, { _HLS_msn: '-1' }, { _HLS_msn: '1.5' }, { _HLS_msn: ['1', '2'] }, { _HLS_skip: 'NO' }]) {
      assert.equal(parseDeliveryDirectives(bad).ok, false, JSON.stringify(bad));
    }
  });

  it('latency profiles follow PeerTube numbering and the spec minimums', () => {
    assert.equal(latencyProfile(1).lowLatency, true);
    assert.equal(latencyProfile(2).lowLatency, false);
    assert.ok(latencyProfile(3).partHoldBackSeconds < latencyProfile(1).partHoldBackSeconds, 'small latency sits closer to the edge');
    for (const mode of [1, 3] as const) {
      const profile = latencyProfile(mode);
      assert.ok(profile.partHoldBackSeconds >= 3 * profile.partSeconds);
      assert.ok(profile.holdBackSeconds >= 3 * profile.segmentSeconds);
    }
    assert.ok(latencyProfile(2).segmentSeconds >= 4 && latencyProfile(2).segmentSeconds <= 6);
    assert.throws(() => latencyProfile(4 as 1), /unknown latency mode/);
  });
});
