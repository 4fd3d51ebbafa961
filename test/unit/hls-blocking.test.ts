// Blocking playlist reload and preload-hinted parts: waiters resolve in the tick the media
// arrives (no polling), time out, refuse what the spec refuses, and never pile up.
import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { LiveRendition, latencyProfile, type LatencyProfile } from '../../packager/hls/index.ts';
import type { InitSegment } from '../../packager/fmp4/index.ts';

/** SMALL_LATENCY: 1 s segments of four 0.25 s parts. */
const PROFILE: LatencyProfile = latencyProfile(3);

function syntheticInit(): InitSegment {
  return {
    bytes: new Uint8Array(16),
    tracks: [{ id: 1, kind: 'video', handler: 'vide', timescale: 90_000, codec: 'avc1.64001f', width: 1280, height: 720, defaults: { sampleDuration: 0, sampleFlags: 0 } }],
  };
}

/** A rendition and a function that appends its next quarter-second part (keyframe every fourth). */
function liveRendition(options: { maxWaiters?: number; memorySegments?: number; playlistSegments?: number } = {}): { rendition: LiveRendition; appendPart: () => void } {
  const rendition = new LiveRendition({ profile: PROFILE, now: () => 0, ...options });
  rendition.acceptInit(syntheticInit());
  let next = 0;
  const appendPart = (): void => {
    rendition.acceptChunk({ bytes: new Uint8Array(1000).fill(next & 0xff), startSeconds: next * 0.25, durationSeconds: 0.25, independent: next % 4 === 0 });
    next++;
  };
  return { rendition, appendPart };
}

function appendParts(appendPart: () => void, count: number): void {
  for (let index = 0; index < count; index++) appendPart();
}

/** True once `promise` has settled, checked without letting any timer run. */
async function settledWithinMicrotasks(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => { settled = true; });
  for (let turn = 0; turn < 5; turn++) await Promise.resolve();
  return settled;
}

describe('blocking playlist reload', () => {
  it('resolves as soon as the awaited part is appended, not on a poll', async () => {
    const { rendition, appendPart } = liveRendition();
    appendParts(appendPart, 6); // segment 0 complete, segment 1 has parts 0 and 1
    const waiting = rendition.blockUntil({ msn: 1, part: 2 });
    assert.equal(await settledWithinMicrotasks(waiting), false);
    await sleep(30);
    let resolvedAt = 0;
    const timed = waiting.then((outcome) => { resolvedAt = performance.now(); return outcome; });
    const appendedAt = performance.now();
    appendPart();
    assert.equal(await settledWithinMicrotasks(timed), true, 'settled in the same tick as the append');
    assert.equal(await timed, 'ready');
    assert.ok(resolvedAt - appendedAt < 5, `resolved ${(resolvedAt - appendedAt).toFixed(2)} ms after the append`);
  });

  it('_HLS_msn alone waits for the whole segment', async () => {
    const { rendition, appendPart } = liveRendition();
    appendParts(appendPart, 5);
    const waiting = rendition.blockUntil({ msn: 1 });
    appendParts(appendPart, 3); // segment 1 has all four parts but is not complete yet
    assert.equal(await settledWithinMicrotasks(waiting), false);
    appendPart(); // the keyframe that opens segment 2 completes segment 1
    assert.equal(await waiting, 'ready');
  });

  it('answers at once for what already exists, including a part index past a finished segment', async () => {
    const { rendition, appendPart } = liveRendition();
    appendParts(appendPart, 9);
    assert.equal(await rendition.blockUntil({ msn: 0 }), 'ready');
    assert.equal(await rendition.blockUntil({ msn: 2, part: 0 }), 'ready');
    assert.equal(await rendition.blockUntil({ msn: 1, part: 7 }), 'ready', 'segment 1 ended at part 3: anything later satisfies');
  });

  it('refuses an _HLS_msn more than two segments beyond the last one', async () => {
    const { rendition, appendPart } = liveRendition();
    assert.equal(await rendition.blockUntil({ msn: 2 }), 'too-far', 'no segment yet: at most msn 1');
    appendParts(appendPart, 5); // last complete segment: 0
    assert.equal(await rendition.blockUntil({ msn: 3, part: 0 }), 'too-far');
    const allowed = rendition.blockUntil({ msn: 2, part: 0 }, { timeoutMs: 20 });
    assert.equal(await allowed, 'timeout');
  });

  it('times out after three target durations by default', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const { rendition, appendPart } = liveRendition();
      appendParts(appendPart, 5);
      const waiting = rendition.blockUntil({ msn: 1, part: 3 });
      mock.timers.tick(2999);
      assert.equal(await settledWithinMicrotasks(waiting), false);
      mock.timers.tick(1);
      assert.equal(await waiting, 'timeout');
      assert.equal(rendition.stats().timedOutWaits, 1);
      assert.equal(rendition.stats().waiting, 0);
    } finally {
      mock.timers.reset();
    }
  });

  it('releases every waiter when the stream ends', async () => {
    const { rendition, appendPart } = liveRendition();
    appendParts(appendPart, 5);
    const reload = rendition.blockUntil({ msn: 2 });
    const hinted = rendition.awaitPart(5);
    assert.equal(rendition.stats().waiting, 2);
    rendition.end();
    assert.equal(await reload, 'ended');
    assert.deepEqual(await hinted, { status: 'not-found' });
    assert.equal(rendition.stats().waiting, 0);
    assert.equal(await rendition.blockUntil({ msn: 1 }), 'ready', 'the final segment was completed by end()');
  });

  it('a restart completes the open segment, which releases waiters on its later parts', async () => {
    const { rendition, appendPart } = liveRendition();
    appendParts(appendPart, 6);
    const waiting = rendition.blockUntil({ msn: 1, part: 3 });
    rendition.restartInput();
    assert.equal(await waiting, 'ready');
  });

  it('drops a waiter whose client went away, and refuses past the waiter limit', async () => {
    const { rendition, appendPart } = liveRendition({ maxWaiters: 2 });
    appendParts(appendPart, 5);
    const controller = new AbortController();
    const first = rendition.blockUntil({ msn: 1, part: 1 }, { signal: controller.signal });
    const second = rendition.blockUntil({ msn: 1, part: 1 });
    assert.equal(await rendition.blockUntil({ msn: 1, part: 1 }), 'busy');
    controller.abort();
    assert.equal(await first, 'aborted');
    assert.equal(rendition.stats().waiting, 1);
    appendParts(appendPart, 2);
    assert.equal(await second, 'ready');
    assert.equal(rendition.stats().refusedWaits, 1);
  });
});

describe('preload-hinted parts', () => {
  it('a request for the hinted part is answered with its bytes the moment it exists', async () => {
    const { rendition, appendPart } = liveRendition();
    appendParts(appendPart, 8);
    assert.match(rendition.playlist(), /PRELOAD-HINT:TYPE=PART,URI="part-8\.m4s"/);
    const waiting = rendition.awaitPart(8);
    assert.equal(await settledWithinMicrotasks(waiting), false);
    appendPart(); // a keyframe: part 8 opens segment 2, and the hint was still right
    const outcome = await waiting;
    assert.equal(outcome.status, 'ready');
    if (outcome.status === 'ready') {
      assert.deepEqual([outcome.part.msn, outcome.part.index, outcome.part.bytes[0]], [2, 0, 8]);
    }
  });

  it('parts never hinted, and parts gone from memory, are not found without waiting', async () => {
    const { rendition, appendPart } = liveRendition({ memorySegments: 1, playlistSegments: 3 });
    appendParts(appendPart, 13);
    assert.deepEqual(await rendition.awaitPart(14), { status: 'not-found' });
    assert.deepEqual(await rendition.awaitPart(0), { status: 'not-found' });
    assert.equal((await rendition.awaitPart(9)).status, 'ready');
    assert.deepEqual(await rendition.awaitPart(13, { timeoutMs: 10 }), { status: 'timeout' });
  });
});

describe('bounded memory', () => {
  it('keeps only the configured window of segments and bytes', () => {
    const sunk: number[] = [];
    const rendition = new LiveRendition({ profile: PROFILE, memorySegments: 2, playlistSegments: 4, sink: { segment: (segment) => sunk.push(segment.msn) } });
    rendition.acceptInit(syntheticInit());
    for (let index = 0; index < 4 * 50 + 1; index++) {
      rendition.acceptChunk({ bytes: new Uint8Array(1000), startSeconds: index * 0.25, durationSeconds: 0.25, independent: index % 4 === 0 });
    }
    assert.deepEqual(sunk, Array.from({ length: 50 }, (_, msn) => msn), 'every complete segment reached the sink, in order');
    assert.equal(rendition.playlistInput().segments.length, 4);
    assert.deepEqual([47, 48, 49].map((msn) => rendition.segmentBytes(msn)?.byteLength), [undefined, 4000, 4000]);
    assert.equal(rendition.part(4 * 47), undefined);
    assert.ok(rendition.part(4 * 48));
    const listed = rendition.playlistInput().segments;
    assert.ok(listed.slice(0, 2).every((segment) => !('bytes' in segment)), 'listed-only segments hold no bytes');
  });
});
