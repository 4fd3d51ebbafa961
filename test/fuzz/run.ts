// npm run fuzz [-- --count N] [--seed S] [--surface a,b]: every surface in test/fuzz/surfaces/
// against one real server with a live publishing beside it. One table row per surface; exits 1
// if any promise broke (a crash, the neighbour stalled over 2 s, the server retaining over 50 MB more
// after a full collection, per surface or over the whole run).
import { parseArgs } from 'node:util';
import { DEFAULT_SEED, TABLE_HEADER, judge, loadSurfaces, runSurface, startHarness, tableRow, type SurfaceFigures } from './harness.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '10000' },
    seed: { type: 'string', default: String(DEFAULT_SEED) },
    surface: { type: 'string', multiple: true },
  },
});
const count = Number(values.count);
const seed = Number(values.seed);
const names = (values.surface ?? []).flatMap((value) => value.split(',')).map((name) => name.trim()).filter(Boolean);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed)) throw new Error('--count and --seed take whole numbers');

const surfaces = await loadSurfaces(names);
console.log(`fuzzing ${surfaces.map((surface) => surface.name).join(', ')}: ${count} inputs each, seed ${seed}`);
const harness = await startHarness();
const broken: string[] = [];
const runs: SurfaceFigures[] = [];
console.log(TABLE_HEADER);
try {
  for (const surface of surfaces) {
    const figures = await runSurface(harness, surface, count, seed);
    runs.push(figures);
    console.log(tableRow(figures));
    for (const note of figures.notes) console.error(`  ${surface.name}: ${note}`);
    broken.push(...judge(figures));
    if (!figures.serverAlive) break;
  }
  // The promise holds for the whole run too, not only surface by surface.
  if (runs.length > 1) {
    const whole = { ...runs[runs.length - 1], surface: 'whole run', seed, crashes: 0, notes: [],
      tried: runs.reduce((sum, run) => sum + run.tried, 0), seconds: runs.reduce((sum, run) => sum + run.seconds, 0),
      gapSeconds: Math.max(...runs.map((run) => run.gapSeconds)), rssBeforeMb: runs[0].rssBeforeMb, retainedBeforeMb: runs[0].retainedBeforeMb };
    console.log(tableRow(whole));
    broken.push(...judge(whole).filter((line) => line.includes('retains')));
  }
} finally {
  await harness.close();
}
if (broken.length) {
  console.error(`\nbroken promises:\n${broken.map((line) => `- ${line}`).join('\n')}`);
  process.exitCode = 1;
}
