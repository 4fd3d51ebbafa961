// Parts and segments from timed chunks: cut points, numbering, INDEPENDENT, discontinuities.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Segmenter, type MediaChunk, type Segment } from '../../packager/hls/index.ts';

const CONTEXT = { initVersion: 0, anchorMs: Date.UTC(2026, 10, 29, 12, 0, 0) };

/** `count` quarter-second chunks from `start`, a keyframe every `keyframeEvery` chunks. */
function chunks(count: number, options: { start?: number; keyframeEvery?: number; duration?: number } = {}): MediaChunk[] {
  const duration = options.duration ?? 0.25;
  const keyframeEvery = options.keyframeEvery ?? 4;
  return Array.from({ length: count }, (_, index) => ({
    bytes: new Uint8Array([index & 0xff, 1, 2]),
    startSeconds: (options.start ?? 0) + index * duration,
    durationSeconds: duration,
    independent: index % keyframeEvery === 0,
  }));
}

function newSegmenter(segmentTargetSeconds: number): Segmenter {
  return new Segmenter({ segmentTargetSeconds, partTargetSeconds: 0.25 });
}

function run(segmenter: Segmenter, input: MediaChunk[], context: { initVersion: number; anchorMs: number | undefined } = CONTEXT): Segment[] {
  return input.flatMap((chunk) => segmenter.append(chunk, context).completed);
}

describe('segmenter', () => {
  it('cuts at the first keyframe once the target is reached; every chunk is a part', () => {
    const segmenter = newSegmenter(2);
    const segments = run(segmenter, chunks(33));
    assert.deepEqual(segments.map((segment) => segment.msn), [0, 1, 2, 3]);
    for (const segment of segments) {
      assert.equal(segment.durationSeconds, 2);
      assert.equal(segment.parts.length, 8);
      assert.deepEqual(segment.parts.map((part) => part.index), [0, 1, 2, 3, 4, 5, 6, 7]);
      assert.ok(segment.independent);
    }
    // Keyframe parts carry INDEPENDENT, including the one in the middle of a segment.
    assert.deepEqual(segments[0].parts.map((part) => part.independent), [true, false, false, false, true, false, false, false]);
    assert.deepEqual(segments.flatMap((segment) => segment.parts.map((part) => part.number)), Array.from({ length: 32 }, (_, index) => index));
    assert.equal(segmenter.openSegment?.msn, 4);
    assert.equal(segmenter.nextPartNumber, 33);
  });

  it('accepts a keyframe that lands a little early (timestamp jitter)', () => {
    const segmenter = newSegmenter(2);
    const input = chunks(12);
    input[7] = { ...input[7], durationSeconds: 0.2 }; // the keyframe at index 8 comes at 1.95 s
    const segments = run(segmenter, input);
    assert.equal(segments.length, 1);
    assert.ok(Math.abs(segments[0].durationSeconds - 1.95) < 1e-9);
  });

  it('a short part once the target is reached is the segment\'s last: the segment completes with it', () => {
    const segmenter = newSegmenter(1);
    const input = chunks(3, { duration: 4 / 15 }); // ffmpeg's 0.2667 s parts, then a 0.2 s one before the keyframe
    input.push({ bytes: new Uint8Array(1), startSeconds: 0.8, durationSeconds: 0.2, independent: false });
    const completed = run(segmenter, input);
    assert.equal(completed.length, 1, 'complete without waiting for the next keyframe');
    assert.equal(completed[0].parts.length, 4);
    assert.equal(segmenter.openSegment, undefined);
    assert.equal(segmenter.partTargetSeconds, 4 / 15, 'PART-TARGET follows the longest part');
  });

  it('a short part before the target does not close the segment', () => {
    const segmenter = newSegmenter(2);
    const completed = run(segmenter, [...chunks(2), { bytes: new Uint8Array(1), startSeconds: 0.5, durationSeconds: 0.1, independent: false }]);
    assert.deepEqual(completed, []);
    assert.equal(segmenter.openSegment?.parts.length, 3);
  });

  it('TARGETDURATION follows the longest segment, rounded', () => {
    const segmenter = newSegmenter(1);
    assert.equal(segmenter.targetDurationSeconds, 1);
    run(segmenter, chunks(7, { keyframeEvery: 6 })); // a 1.5 s segment
    assert.equal(segmenter.targetDurationSeconds, 2);
    assert.equal(segmenter.partTargetSeconds, 0.25);
  });

  it('segment bytes are the parts joined, and parts become views into them', () => {
    const segmenter = newSegmenter(1);
    const [segment] = run(segmenter, chunks(5));
    assert.deepEqual([...segment.bytes], [0, 1, 2, 1, 1, 2, 2, 1, 2, 3, 1, 2]);
    assert.equal(segment.parts[1].bytes.buffer, segment.bytes.buffer);
    assert.deepEqual([...segment.parts[1].bytes], [1, 1, 2]);
  });

  it('program date-time is the anchor plus the media time', () => {
    const segmenter = newSegmenter(1);
    const segments = run(segmenter, chunks(9, { start: 10 }));
    assert.equal(segments[1].programDateTimeMs, CONTEXT.anchorMs + 11_000);
    assert.equal(run(newSegmenter(1), chunks(5), { initVersion: 0, anchorMs: undefined })[0].programDateTimeMs, undefined);
  });

  it('a discontinuity opens the next segment at the next keyframe, flagged and numbered', () => {
    const segmenter = newSegmenter(2);
    run(segmenter, chunks(9));
    segmenter.requestDiscontinuity();
    // Half a segment in, a keyframe arrives: the discontinuity does not wait for the target.
    const segments = run(segmenter, chunks(9, { start: 100 }));
    assert.deepEqual(segments.map((segment) => [segment.msn, segment.durationSeconds, segment.discontinuity, segment.discontinuitySequence]), [
      [1, 0.25, false, 0], // the open segment closed by the discontinuity's keyframe
      [2, 2, true, 1],
    ]);
    assert.equal(segmenter.openSegment?.discontinuitySequence, 1);
    assert.equal(segmenter.openSegment?.discontinuity, false);
  });

  it('ignores a discontinuity before the first segment', () => {
    const segmenter = newSegmenter(1);
    segmenter.requestDiscontinuity();
    run(segmenter, chunks(1));
    assert.equal(segmenter.openSegment?.discontinuity, false);
    assert.equal(segmenter.openSegment?.discontinuitySequence, 0);
  });

  it('close() completes the open segment (restart, end)', () => {
    const segmenter = newSegmenter(2);
    run(segmenter, chunks(3));
    const closed = segmenter.close();
    assert.equal(closed?.parts.length, 3);
    assert.equal(closed?.durationSeconds, 0.75);
    assert.equal(segmenter.close(), undefined);
    assert.deepEqual(run(segmenter, chunks(1)), []);
    assert.equal(segmenter.openSegment?.msn, 1);
  });

  it('a new init version starts a new segment', () => {
    const segmenter = newSegmenter(2);
    run(segmenter, chunks(3));
    const { completed } = segmenter.append(chunks(1)[0], { ...CONTEXT, initVersion: 1 });
    assert.deepEqual(completed.map((segment) => segment.initVersion), [0]);
    assert.equal(segmenter.openSegment?.initVersion, 1);
  });

  it('bounds a segment when keyframes never come', () => {
    const segmenter = newSegmenter(1);
    const segments = run(segmenter, chunks(40, { keyframeEvery: 1000 }));
    assert.ok(segments.length >= 2);
    assert.ok(segments.every((segment) => segment.durationSeconds <= 4));
  });
});
