// npm run fuzz [-- --count N] [--seed S] [--surface a,b]: every surface in test/fuzz/surfaces/
// against one real server with a live publishing beside it. One table row per surface; exits 1
// if any promise broke (a crash, the neighbour stalled over 2 s, memory grew over 50 MB).
import { parseArgs } from 'node:util';
import { DEFAULT_SEED, TABLE_HEADER, judge, loadSurfaces, runSurface, startHarness, tableRow } from './harness.ts';

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
console.log(TABLE_HEADER);
try {
  for (const surface of surfaces) {
    const figures = await runSurface(harness, surface, count, seed);
    console.log(tableRow(figures));
    for (const note of figures.notes) console.error(`  ${surface.name}: ${note}`);
    broken.push(...judge(figures));
    if (!figures.serverAlive) break;
  }
} finally {
  await harness.close();
}
if (broken.length) {
  console.error(`\nbroken promises:\n${broken.map((line) => `- ${line}`).join('\n')}`);
  process.exitCode = 1;
}
