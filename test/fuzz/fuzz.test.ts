// The short seeded fuzz run inside `npm test`: every surface in test/fuzz/surfaces/, 500 inputs
// each, against one real server with a live publishing beside it. The full run (10,000 inputs per
// surface) is `npm run fuzz`. A failure names the surface and the seed that replays it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SEED, TABLE_HEADER, judge, loadSurfaces, runSurface, startHarness, tableRow, type FuzzHarness } from './harness.ts';
import type { FuzzSurface } from './surface.ts';

const COUNT = 500;
const surfaces: FuzzSurface[] = await loadSurfaces();

describe(`fuzzing, ${COUNT} inputs per surface (seed ${DEFAULT_SEED})`, () => {
  let harness: FuzzHarness;
  const rows: string[] = [];

  before(async () => {
    harness = await startHarness(20 * 60);
  });

  after(async () => {
    console.log(`# ${TABLE_HEADER.split('\n').join('\n# ')}\n# ${rows.join('\n# ')}`);
    await harness?.close();
  });

  for (const surface of surfaces) {
    it(`${surface.name}: no crash, the neighbour keeps going, memory stays`, async () => {
      assert.ok(harness.server.alive(), 'the server died during an earlier surface');
      const figures = await runSurface(harness, surface, COUNT, DEFAULT_SEED);
      rows.push(tableRow(figures));
      assert.deepEqual(judge(figures), [], `surface ${surface.name}, seed ${DEFAULT_SEED}, ${COUNT} inputs`);
    });
  }
});
