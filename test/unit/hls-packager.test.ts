// The packager end to end on real ffmpeg output: bytes in random chunks → parts, segments and
// playlists that hls-parser accepts in strict mode at every step, and segments ffmpeg decodes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import HLS from 'hls-parser';
import { Fmp4ParseError } from '../../packager/fmp4/index.ts';
import {
  LiveHls, latencyProfile, segmentUri, type InitRecord, type LiveRendition, type MediaReply, type Segment,
} from '../../packager/hls/index.ts';

HLS.setOptions({ strictMode: true });
const execFileAsync = promisify(execFile);
const SECONDS = 6;
const ANCHOR_MS = Date.UTC(2026, 10, 29, 18, 30, 0);

let dir = '';
let audioVideo: Uint8Array;
let videoOnly: Uint8Array;

/** What ffmpeg writes for SMALL_LATENCY: 1 s keyframes, 250 ms fragments. */
async function encode(name: string, withAudio: boolean): Promise<Uint8Array> {
  const inputs = ['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30', ...(withAudio ? ['-f', 'lavfi', '-i', 'sine'] : [])];
  const output = join(dir, name);
  await execFileAsync('ffmpeg', [
    '-v', 'error', '-y', ...inputs, '-t', String(SECONDS),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-force_key_frames', 'expr:gte(t,n_forced*1)', ...(withAudio ? ['-c:a', 'aac'] : []),
    '-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof+dash', '-frag_duration', '250000', output,
  ]);
  return readFileSync(output);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'livecast-hls-'));
  [audioVideo, videoOnly] = await Promise.all([encode('av.mp4', true), encode('v.mp4', false)]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Written { inits: InitRecord[]; segments: Segment[]; errors: Error[] }

function newLive(): { hls: LiveHls; written: Map<number, Written> } {
  const written = new Map<number, Written>();
  const hls = new LiveHls({
    profile: latencyProfile(3),
    renditions: [{ index: 0, bandwidth: 1_000_000, frameRate: 30 }, { index: 1, bandwidth: 800_000 }],
    memorySegments: 3,
    now: () => ANCHOR_MS,
    sinkFor: (index) => {
      const record: Written = { inits: [], segments: [], errors: [] };
      written.set(index, record);
      return { init: (init) => record.inits.push(init), segment: (segment) => record.segments.push(segment), error: (error) => record.errors.push(error) };
    },
  });
  return { hls, written };
}

/** Feeds `bytes` in deterministic random chunks (the first 2000 one byte at a time); `onChunk` runs after each. */
function feed(rendition: LiveRendition, bytes: Uint8Array, onChunk: () => void = () => {}): void {
  let seed = 12345;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  let offset = 0;
  while (offset < bytes.byteLength) {
    const size = offset < 2000 ? 1 : 1 + Math.floor(random() * 60_000);
    rendition.push(bytes.subarray(offset, offset + size));
    offset += size;
    onChunk();
  }
}

function parseMedia(text: string): Extract<ReturnType<typeof HLS.parse>, { isMasterPlaylist: false }> {
  const playlist = HLS.parse(text);
  assert.ok(!playlist.isMasterPlaylist);
  return playlist;
}

/** ffmpeg decodes every frame of init + segments, or the test fails with its message. */
async function assertDecodes(name: string, init: Uint8Array, segments: Uint8Array[]): Promise<void> {
  const file = join(dir, name);
  writeFileSync(file, Buffer.concat([init, ...segments]));
  await execFileAsync('ffmpeg', ['-v', 'error', '-xerror', '-i', file, '-f', 'null', '-']);
}

/** The offset of the first top-level box boundary at or after `offset` (garbage lands between boxes). */
function boxBoundaryNear(bytes: Uint8Array, offset: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let position = 0;
  while (position < offset) position += view.getUint32(position);
  return position;
}

function body(reply: MediaReply): string | Uint8Array {
  assert.equal(reply.kind, 'body', JSON.stringify(reply));
  return reply.kind === 'body' ? reply.body : '';
}

describe('LL-HLS packager on real ffmpeg output', () => {
  it('every playlist along the way is strict-valid; segments are ~1 s, independent and decodable', async () => {
    const { hls, written } = newLive();
    const rendition = hls.rendition(0);
    let fragments = 0;
    let playlistsChecked = 0;
    feed(rendition, audioVideo, () => {
      if (rendition.stats().fragments === fragments) return;
      fragments = rendition.stats().fragments;
      parseMedia(rendition.playlist());
      parseMedia(rendition.playlist({ deltaUpdate: true, renditionReports: hls.renditionReports(0) }));
      playlistsChecked++;
    });
    assert.equal(playlistsChecked, 24, 'one check per fragment');
    hls.end();
    const { inits, segments, errors } = written.get(0)!;
    assert.deepEqual(errors, []);
    assert.equal(inits.length, 1);
    assert.equal(segments.length, SECONDS);
    const total = segments.reduce((sum, segment) => sum + segment.durationSeconds, 0);
    assert.ok(Math.abs(total - SECONDS) < 0.05, `total ${total}`);
    for (const segment of segments) {
      assert.ok(Math.abs(segment.durationSeconds - 1) < 0.05, `segment ${segment.msn}: ${segment.durationSeconds} s`);
      assert.ok(segment.independent);
      assert.deepEqual(segment.parts.map((part) => part.independent), segment.parts.map((_, index) => index === 0));
    }
    const final = parseMedia(rendition.playlist());
    assert.equal(final.endlist, true);
    assert.equal(final.targetDuration, 1);
    assert.ok(final.partTargetDuration !== undefined && final.partTargetDuration >= 0.25 && final.partTargetDuration <= 0.3, `PART-TARGET ${final.partTargetDuration}`);
    assert.equal(final.segments[0].programDateTime?.getTime(), ANCHOR_MS);
    await assertDecodes('all.mp4', inits[0].init.bytes, segments.map((segment) => segment.bytes));
  });

  it('master playlist from the init segments and the measured bitrate; rendition reports between siblings', () => {
    const { hls } = newLive();
    assert.equal(hls.masterPlaylist(), undefined, 'no master before every rendition has an init segment');
    feed(hls.rendition(0), audioVideo);
    assert.equal(hls.masterPlaylist(), undefined);
    feed(hls.rendition(1), videoOnly.subarray(0, Math.floor(videoOnly.byteLength / 2)));
    const master = HLS.parse(hls.masterPlaylist()!);
    assert.ok(master.isMasterPlaylist);
    const [full, videoOnlyVariant] = master.variants;
    assert.match(full.codecs ?? '', /^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
    assert.match(videoOnlyVariant.codecs ?? '', /^avc1\.[0-9a-f]{6}$/);
    assert.deepEqual(full.resolution, { width: 640, height: 360 });
    assert.equal(full.frameRate, 30);
    assert.equal(full.uri, '0/index.m3u8');
    assert.ok(full.bandwidth >= 1_000_000 && full.bandwidth >= Math.ceil(hls.rendition(0).measuredBitrate()!.peak));
    assert.ok(full.averageBandwidth !== undefined && full.averageBandwidth <= full.bandwidth);
    const reports = parseMedia(hls.rendition(0).playlist({ renditionReports: hls.renditionReports(0) })).renditionReports;
    assert.deepEqual(reports.map((report) => [report.uri, report.lastMSN, report.lastPart]),
      [['../1/index.m3u8', hls.rendition(1).position?.lastMsn, hls.rendition(1).position?.lastPart]]);
    assert.equal(hls.started, true);
  });

  it('garbage input is reported, not thrown; after a restart the stream resumes behind a discontinuity', async () => {
    const { hls, written } = newLive();
    const rendition = hls.rendition(0);
    feed(rendition, audioVideo.subarray(0, boxBoundaryNear(audioVideo, audioVideo.byteLength / 2)));
    const before = rendition.segmentCount;
    assert.doesNotThrow(() => rendition.push(new TextEncoder().encode('garbage that is not an MP4 box at all')));
    assert.equal(rendition.inputFailed, true);
    const { errors } = written.get(0)!;
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof Fmp4ParseError);
    rendition.push(audioVideo.subarray(0, 1000));
    assert.equal(rendition.stats().droppedBytes, 1000);

    rendition.restartInput({ wallClockAnchorMs: ANCHOR_MS + 60_000 });
    feed(rendition, audioVideo);
    hls.end();
    const { inits, segments } = written.get(0)!;
    assert.equal(inits.length, 1, 'the restarted ffmpeg wrote the same init segment: same version');
    const resumed = segments.find((segment) => segment.discontinuity);
    assert.ok(resumed);
    assert.equal(resumed.msn, before + 1, 'the segment open at the failure was completed first');
    assert.equal(resumed.programDateTimeMs, ANCHOR_MS + 60_000);
    assert.match(rendition.playlist(), new RegExp(`#EXT-X-DISCONTINUITY\\n#EXT-X-PROGRAM-DATE-TIME:2026-11-29T18:31:00.000Z\\n(#EXT-X-PART:.*\\n)*#EXTINF:[0-9.]+,\\n${segmentUri(resumed.msn)}`));
    parseMedia(rendition.playlist());
    await assertDecodes('resumed.mp4', inits[0].init.bytes, segments.filter((segment) => segment.msn >= resumed.msn).map((segment) => segment.bytes));
  });

  it('answers requests: blocking playlists, hinted parts, segments in memory or on disk, and errors', async () => {
    const { hls } = newLive();
    const rendition = hls.rendition(0);
    const bytes = audioVideo;
    const half = Math.floor(bytes.byteLength / 2);
    feed(rendition, bytes.subarray(0, half));
    const position = rendition.position!;
    const nextPart = rendition.playlistInput().nextPartNumber;
    const blocked = hls.answer(0, 'index.m3u8', { query: { _HLS_msn: String(position.lastMsn), _HLS_part: String(position.lastPart! + 1) } });
    const hinted = hls.answer(0, `part-${nextPart}.m4s`);
    // Push until exactly one more fragment has arrived, then see what the waiting requests got.
    const fragments = rendition.stats().fragments;
    let offset = half;
    while (rendition.stats().fragments === fragments) rendition.push(bytes.subarray(offset, (offset += 1000)));
    const playlist = parseMedia(body(await blocked) as string);
    assert.ok(playlist.segments.some((segment) => segment.parts.some((part) => part.uri === `part-${nextPart}.m4s`)));
    assert.equal((body(await hinted) as Uint8Array).byteLength, rendition.part(nextPart)?.bytes.byteLength);
    rendition.push(bytes.subarray(offset));

    assert.equal(body(await hls.answer(0, 'init-0.mp4')), rendition.currentInit?.init.bytes);
    const last = rendition.position!.lastMsn - 1;
    assert.ok(body(await hls.answer(0, segmentUri(last))) instanceof Uint8Array);
    assert.deepEqual(await hls.answer(0, segmentUri(0)), { kind: 'on-disk' }, 'beyond the 3 segments kept in memory');
    assert.deepEqual(await hls.answer(0, 'index.m3u8', { query: { _HLS_part: '1' } }), { kind: 'error', status: 400, message: '_HLS_part requires _HLS_msn' });
    assert.equal((await hls.answer(0, 'index.m3u8', { query: { _HLS_msn: '99' } })).kind, 'error');
    assert.deepEqual(await hls.answer(0, 'index.m3u8', { query: { _HLS_msn: String(rendition.position!.lastMsn + 1) }, timeoutMs: 10 }),
      { kind: 'error', status: 503, message: 'blocking reload timeout' });
    assert.equal((await hls.answer(0, '../../etc/passwd')).kind, 'error');
    assert.equal((await hls.answer(0, 'part-999999.m4s')).kind, 'error');
    hls.end();
  });
});
