// bench:latency — glass-to-glass latency of our LL-HLS and WHEP against plain 2 s-segment HLS,
// measured side by side in one run. For each line a real server (embedded Postgres, RTMP ingest,
// one 720p rendition with libx264 veryfast/zerolatency) is published to by ffmpeg. A probe that
// behaves like an LL-HLS player notes, for every frame, arrival time − the publisher's send time;
// a WHEP viewer (werift + ffmpeg decoder) notes when each frame came out of its decoder, and which
// frame it was from the barcode the publisher draws into every picture.
import { createTestServer } from '../test/helpers/server.ts';
import { ApiClient } from '../test/helpers/api.ts';
import { waitFor } from '../test/helpers/wait.ts';
import { startPublisher, type ClockedPublisher } from './latency/publisher.ts';
import { probeLlHls } from './latency/ll-hls-probe.ts';
import { measureBaseline } from './latency/hls-baseline.ts';
import { percentile } from './latency/stats.ts';
import { probeWhep, type WhepProbeResult } from './latency/whep-probe.ts';
import { PartSample, type CrossCheck } from './latency/barcode-check.ts';

const MEASURE_MS = Number(process.env.BENCH_SECONDS ?? 20) * 1000;
const MODES = [
  { latencyMode: 3, name: 'small latency' },
  { latencyMode: 1, name: 'default' },
] as const;
/**
 * Not counted: a new WHEP encoder starts on the live's cached GOP (up to 4 s here) and needs a
 * moment to reach the live edge (see whep-probe.ts); about 1-2 s on an idle machine.
 */
const WHEP_WARMUP_MS = 5000;
/** LL-HLS parts kept for the barcode cross-check (a few seconds of video). */
const CROSS_CHECK_PARTS = 20;

type Server = Awaited<ReturnType<typeof createTestServer>>;
type Video = { streamingPlaylists: Array<{ playlistUrl: string }> };
interface Row { name: string; p50: number; p95: number; frames: number }

const format = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const rowOf = (name: string, latencies: number[]): Row =>
  ({ name, p50: percentile(latencies, 50), p95: percentile(latencies, 95), frames: latencies.length });

/** A new live, published to by a clocked ffmpeg for as long as `measure` runs. */
async function withLive<T>(server: Server, admin: ApiClient, settings: Record<string, unknown>,
  measure: (liveId: number, video: Video, publisher: ClockedPublisher) => Promise<T>): Promise<T> {
  const live = await admin.createLive(settings);
  // Long enough for the WHEP line's warm-up and start-up too.
  const publisher = startPublisher(['-f', 'flv', `rtmp://127.0.0.1:${server.rtmpPort}/live/${live.streamKey}`],
    { seconds: (MEASURE_MS + WHEP_WARMUP_MS) / 1000 + 40 });
  try {
    const video = await waitFor('published', async () => {
      const current = (await admin.get(`/api/v1/videos/${live.id}`)).body;
      return current.state.id === 1 ? current as Video : undefined;
    }, { timeoutMs: 30_000 });
    return await measure(live.id, video, publisher);
  } finally {
    await publisher.stop();
  }
}

async function measureLlHls(server: Server, admin: ApiClient, mode: typeof MODES[number]): Promise<{ row: Row; check: CrossCheck }> {
  return withLive(server, admin, { name: `latency ${mode.name}`, latencyMode: mode.latencyMode }, async (_id, video, publisher) => {
    const variantUrl = new URL('0/index.m3u8', `${server.baseUrl}${video.streamingPlaylists[0].playlistUrl}`).href;
    const sample = new PartSample(CROSS_CHECK_PARTS);
    const latencies = await probeLlHls({
      variantUrl, sendTime: publisher.sendTime, durationMs: MEASURE_MS, onPart: (init, part) => sample.add(init, part),
    });
    return { row: rowOf(`LL-HLS ${mode.name}`, latencies), check: await sample.compare() };
  });
}

async function measureWhep(server: Server, admin: ApiClient): Promise<WhepProbeResult> {
  return withLive(server, admin, { name: 'latency WHEP' }, (id, _video, publisher) => probeWhep({
    whepUrl: `${server.baseUrl}/api/v1/videos/${id}/whep`, sendTime: publisher.sendTime, durationMs: MEASURE_MS, warmupMs: WHEP_WARMUP_MS,
  }));
}

function printTable(rows: Row[], base: Row): void {
  console.log(`${'pipeline'.padEnd(36)}${'p50'.padStart(9)}${'p95'.padStart(9)}${'frames'.padStart(8)}${'p50 / baseline'.padStart(16)}`);
  for (const row of [...rows, base]) {
    console.log(`${row.name.padEnd(36)}${format(row.p50).padStart(9)}${format(row.p95).padStart(9)}${String(row.frames).padStart(8)}${(row.p50 / base.p50).toFixed(2).padStart(16)}`);
  }
}

function printCrossCheck(name: string, check: CrossCheck): void {
  const ms = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(0)} ms`;
  console.log(`barcode cross-check ${name}: media-time − barcode latency median ${ms(check.medianMs)}, ` +
    `max |diff| ${check.maxAbsMs.toFixed(0)} ms over ${check.frames} frames (${check.unreadable} unreadable)`);
}

async function main(): Promise<void> {
  const server = await createTestServer({
    TRANSCODING_LADDER: JSON.stringify([{ height: 720, videoBitrateKbps: 2800 }]),
    TRANSCODING_X264_PRESET: 'veryfast',
  });
  const llHls: Array<{ row: Row; check: CrossCheck }> = [];
  let whep: WhepProbeResult;
  try {
    await server.start();
    const admin = await ApiClient.asAdmin(server.baseUrl);
    for (const mode of MODES) llHls.push(await measureLlHls(server, admin, mode));
    whep = await measureWhep(server, admin);
  } finally {
    await server.destroy();
  }
  const base = rowOf('baseline: plain HLS, 2 s segments', await measureBaseline(MEASURE_MS));
  const whepRow = rowOf('WHEP', whep.latencies);

  console.log(`latency bench: 720p30, one rendition, libx264 veryfast zerolatency, ${MEASURE_MS / 1000} s per line, loopback`);
  console.log('HLS lines: arrival time at the player − publisher send time, per frame');
  console.log('WHEP: frame out of the viewer\'s decoder − publisher send time of that frame (read from its barcode)\n');
  printTable([...llHls.map((line) => line.row), whepRow], base);
  console.log(`\nWHEP: decoding is ${whep.decodeMs} ms of it (median); ${whep.unreadable} unreadable frames; ` +
    `${whep.lostPackets} RTP packets lost; start-up (not counted): first frame ${format(whep.startupMs)} after the POST, ` +
    `then ${WHEP_WARMUP_MS / 1000} s of warm-up, ${whep.startupLostPackets} RTP packets lost`);
  for (const [index, line] of llHls.entries()) printCrossCheck(`LL-HLS ${MODES[index].name}`, line.check);
  const small = llHls[0].row;
  console.log(`\nsmall latency p50 ${format(small.p50)}: target <= 1.50 s: ${small.p50 <= 1500 ? 'PASS' : 'ABOVE'}`);
  console.log(`WHEP p50 ${format(whepRow.p50)}: target <= 0.60 s: ${whepRow.p50 <= 600 ? 'PASS' : 'ABOVE'}`);
}

main().catch((error: Error) => {
  console.error(`bench:latency failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
