// The reusable part of the fuzz run (test/fuzz/run.ts and test/fuzz/fuzz.test.ts): one real server
// with a neighbouring live publishing beside it, the surfaces found in surfaces/, one run of a surface
// with its figures, and the judgement against the promises.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { createUploader } from '../helpers/uploads.ts';
import { startNeighbour, type Neighbour } from './neighbour.ts';
import { Rng } from './rng.ts';
import type { FuzzSurface, FuzzTarget } from './surface.ts';
import { INSPECTOR_ENV, inspectorUrl, measureAfterCollection, type MemoryFigures } from './retained-memory.ts';

/**
 * The promises of issue 9: the process never exits, the neighbour's parts keep coming, memory stays
 * (what the server retains after a full collection: see retained-memory.ts).
 */
export const PROMISES = { maxGapSeconds: 2, maxRetainedGrowthMb: 50 };
export const DEFAULT_SEED = 20261207;

export interface FuzzHarness {
  server: TestServer;
  target: FuzzTarget;
  neighbour: Neighbour;
  /** The server's memory after a full garbage collection. */
  memory(): Promise<MemoryFigures>;
  close(): Promise<void>;
}

export async function startHarness(neighbourSeconds = 4 * 3600): Promise<FuzzHarness> {
  const server = await createTestServer(INSPECTOR_ENV);
  try {
    await server.start();
    const admin = await ApiClient.asAdmin(server.baseUrl);
    const user = await createUploader(admin, 'fuzzer');
    const neighbour = await startNeighbour(user.api, server.rtmpPort, neighbourSeconds);
    const target: FuzzTarget = {
      baseUrl: server.baseUrl, rtmpPort: server.rtmpPort, srtPort: server.srtPort,
      accessToken: user.token, liveVideoUuid: neighbour.videoUuid, dataDir: server.dataDir,
    };
    const inspector = inspectorUrl(server.output());
    return {
      server, target, neighbour,
      memory: () => measureAfterCollection(inspector),
      async close() {
        await neighbour.stop();
        await server.destroy();
      },
    };
  } catch (error) {
    await server.destroy();
    throw error;
  }
}

/** Every surface module in surfaces/ (default export: one FuzzSurface or an array), optionally filtered by name. */
export async function loadSurfaces(names?: string[]): Promise<FuzzSurface[]> {
  const folder = join(import.meta.dirname, 'surfaces');
  const surfaces: FuzzSurface[] = [];
  for (const file of readdirSync(folder).filter((name) => /\.(ts|js)$/.test(name)).sort()) {
    const module = await import(pathToFileURL(join(folder, file)).href) as { default?: FuzzSurface | FuzzSurface[] };
    const exported = module.default;
    if (!exported) throw new Error(`test/fuzz/surfaces/${file} has no default export`);
    surfaces.push(...(Array.isArray(exported) ? exported : [exported]));
  }
  if (!names?.length) return surfaces;
  const unknown = names.filter((name) => !surfaces.some((surface) => surface.name === name));
  if (unknown.length) throw new Error(`unknown surface ${unknown.join(', ')} (known: ${surfaces.map((surface) => surface.name).join(', ')})`);
  return surfaces.filter((surface) => names.includes(surface.name));
}

export interface SurfaceFigures {
  surface: string;
  seed: number;
  tried: number;
  crashes: number;
  /** Longest time without a new part of the neighbour while the surface ran (s). */
  gapSeconds: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  /** Heap in use plus external memory after a full collection, before and after the surface. */
  retainedBeforeMb: number;
  retainedAfterMb: number;
  seconds: number;
  serverAlive: boolean;
  notes: string[];
}

/** Each surface gets its own stream of inputs: filtering with --surface does not change them. */
export function seedFor(seed: number, surface: string): number {
  let hash = seed >>> 0;
  for (const char of surface) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash;
}

export async function runSurface(harness: FuzzHarness, surface: FuzzSurface, count: number, seed: number): Promise<SurfaceFigures> {
  const notes: string[] = [];
  const before = await harness.memory();
  const started = Date.now();
  let result = { tried: 0, crashes: 0 };
  try {
    result = await surface.run({ target: harness.target, rng: new Rng(seedFor(seed, surface.name)), count, note: (line) => notes.push(line) });
  } catch (error) {
    // A surface that throws is a broken fuzzer or a server gone (seen below): never a silent pass.
    result.crashes += 1;
    notes.push(`the surface itself threw: ${(error as Error).stack ?? error}`);
  }
  const ended = Date.now();
  await harness.neighbour.monitor.flush();
  const serverAlive = harness.server.alive();
  if (!serverAlive) notes.push(`the server exited:\n${harness.server.output().slice(-3000)}`);
  // Let the last inputs' sockets and buffers go before measuring what stays.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = serverAlive ? await harness.memory() : { rssMb: Number.NaN, retainedMb: Number.NaN };
  return {
    surface: surface.name, seed, tried: result.tried, crashes: result.crashes + (serverAlive ? 0 : 1),
    gapSeconds: harness.neighbour.monitor.longestGapSeconds(started, ended),
    rssBeforeMb: before.rssMb, rssAfterMb: after.rssMb, retainedBeforeMb: before.retainedMb, retainedAfterMb: after.retainedMb,
    seconds: (ended - started) / 1000, serverAlive, notes,
  };
}

/** The promises a run broke, one sentence each (empty: it kept them all). */
export function judge(figures: SurfaceFigures): string[] {
  const broken: string[] = [];
  const replay = `(replay: npm run fuzz -- --surface ${figures.surface} --seed ${figures.seed} --count ${figures.tried})`;
  if (!figures.serverAlive) broken.push(`${figures.surface}: the server process exited ${replay}`);
  if (figures.crashes > 0) broken.push(`${figures.surface}: ${figures.crashes} crash(es) ${replay}: ${figures.notes.slice(0, 5).join(' | ')}`);
  if (figures.gapSeconds > PROMISES.maxGapSeconds) {
    broken.push(`${figures.surface}: the neighbouring live went ${figures.gapSeconds.toFixed(2)} s without a new part (limit ${PROMISES.maxGapSeconds} s) ${replay}`);
  }
  const growth = figures.retainedAfterMb - figures.retainedBeforeMb;
  if (growth > PROMISES.maxRetainedGrowthMb) {
    broken.push(`${figures.surface}: the server retains ${growth.toFixed(1)} MB more after a full collection (limit ${PROMISES.maxRetainedGrowthMb} MB) ${replay}`);
  }
  return broken;
}

export const TABLE_HEADER = '| surface | inputs | crashes | longest neighbour gap (s) | retained before → after (MB) | RSS before → after (MB) | seconds |\n|---|---:|---:|---:|---:|---:|---:|';

export function tableRow(figures: SurfaceFigures): string {
  return `| ${figures.surface} | ${figures.tried} | ${figures.crashes} | ${figures.gapSeconds.toFixed(2)} | ` +
    `${figures.retainedBeforeMb.toFixed(1)} → ${figures.retainedAfterMb.toFixed(1)} | ` +
    `${figures.rssBeforeMb.toFixed(1)} → ${figures.rssAfterMb.toFixed(1)} | ${figures.seconds.toFixed(1)} |`;
}
