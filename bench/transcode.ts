// npm run bench:transcode
//
// CPU cost of our live pipeline (RTMP ingest in Node + one LiveTranscoder ffmpeg) for a 720p30
// source and its 720/480/360 ladder, against a bare ffmpeg running the very same ladder on the
// same file in the same run. Prints ours / bare per round and the median; target <= 1.10.
// CPU time, not wall time, is compared, so other load on the machine matters little.
//
// What is counted:
// - bare: the bare ffmpeg (demux + decode + scale + encode + HLS mux).
// - ours: the transcoder ffmpeg (the same work) plus this Node process's CPU while the live runs
//   (NMS receiving RTMP, the FLV tap writing into ffmpeg's stdin, the transcoder's bookkeeping).
// - not counted: the publisher ffmpeg (`-c copy` to RTMP) stands in for OBS on the streamer's
//   machine; likewise Node copying the file into the bare ffmpeg's stdin stands in for the source.
//   Both are printed for information.
//
// Settings: BENCH_SECONDS (source length, default 20), BENCH_ROUNDS (default 2), BENCH_LOG
// (server log level, default silent). The config (ladder, encoder, preset) is loaded as the
// server loads it: config.yaml and environment variables apply.
import { createReadStream, mkdirSync, mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { Fmp4StreamParser, type InitSegment } from '../packager/fmp4/index.ts';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadConfig, type Config } from '../config/index.ts';
import { rtmpLimits, RtmpIngestServer } from '../ingest/index.ts';
import {
  buildLiveCommand, encoderSettingsFromConfig, locateFfmpeg, renditionsFor, runFfmpeg, selectEncoder, spawnFfmpeg,
  SEGMENT_MANIFEST, hls, type EncoderSelection, type FfmpegBinary, type Rendition,
} from '../packager/index.ts';
import { BenchGate, type BenchLive } from './bench-gate.ts';
import { meteredFfmpeg, totalSeconds } from './metered-ffmpeg.ts';
import { positiveInteger } from './env.ts';

const TARGET_RATIO = 1.10;
const SOURCE_HEIGHT = 720;
/** The server's default latency mode (LL-HLS, 2 s segments, 1/3 s parts). */
const LATENCY_MODE = 1;
const ADMIT_TIMEOUT_MS = 15_000;
const PUBLISHER_GONE_TIMEOUT_MS = 15_000;
const TRANSCODER_STOP_TIMEOUT_MS = 30_000;
const TEARDOWN_TIMEOUT_MS = 15_000;

type FfmpegHandle = ReturnType<typeof spawnFfmpeg>;
type LogLevel = Parameters<typeof createLogger>[0];

interface Bench {
  seconds: number;
  rounds: number;
  config: Config;
  ffmpeg: FfmpegBinary;
  encoder: EncoderSelection;
  /** The ladder for the 720p source, as the gate will pick it (checked against ours each round). */
  renditions: Rendition[];
  root: string;
  source: string;
  gate: BenchGate;
  server: RtmpIngestServer;
}

interface RunResult {
  /** CPU seconds, user + sys. */
  ffmpegCpu: number;
  nodeCpu: number;
  wallSeconds: number;
  /** Seconds of video the first rendition came out with: CPU is compared per encoded second. */
  mediaSeconds: number;
  /** The transcoding ffmpeg's arguments, to prove that both sides ran the same encode. */
  args: string[];
  outputDir: string;
  notes: string[];
}

interface OursResult extends RunResult { publisherCpu: number }

// ---------------------------------------------------------------- process bookkeeping

/** Children this script started, so that an interrupted run leaves nothing behind. */
const children = new Set<FfmpegHandle>();
let currentLive: BenchLive | undefined;
let rtmpServer: RtmpIngestServer | undefined;
/** The temp folder: source, HLS outputs, NMS's work dir, the metering files. */
let rootDir: string | undefined;

function track(handle: FfmpegHandle): FfmpegHandle {
  children.add(handle);
  void handle.exited.then(() => children.delete(handle));
  return handle;
}

/** Rejects when `promise` takes longer than `ms`, after running `onTimeout` (a kill). */
async function bounded<T>(promise: Promise<T>, ms: number, what: string, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new Error(`${what} took longer than ${Math.round(ms / 1000)} s`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const seconds = (ms: number) => ms / 1000;
const cpuSeconds = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6;

/** A run should last about the source's length; allow slow machines a wide margin. */
const runLimitMs = (bench: Bench) => Math.max(120, bench.seconds * 4) * 1000;

function freeLoopbackPort(): Promise<number> {
  // NMS only listens when rtmp.port is truthy, so port 0 is not an option: take a port the
  // kernel just handed out and release it (NMS exits the process if it were taken meanwhile).
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port')));
    });
  });
}

// ---------------------------------------------------------------- set-up

async function makeSource(ffmpeg: string, file: string, duration: number): Promise<void> {
  const result = await runFfmpeg(ffmpeg, ['-hide_banner', '-loglevel', 'error',
    '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=1000',
    '-t', String(duration), '-c:v', 'libx264', '-preset', 'veryfast', '-g', '60', '-c:a', 'aac',
    '-f', 'flv', file], Math.max(120, duration * 10) * 1000);
  if (result.code !== 0) throw new Error(`could not make the source: ${result.timedOut ? 'timed out' : result.stderr.trim()}`);
}

async function setUp(): Promise<Bench> {
  const duration = positiveInteger('BENCH_SECONDS', 20);
  const rounds = positiveInteger('BENCH_ROUNDS', 2);
  const log = createLogger((process.env.BENCH_LOG ?? 'silent') as LogLevel);
  const config = loadConfig();
  // The same start-up steps as api/start.ts: find ffmpeg, then probe the configured encoder.
  const ffmpeg = await locateFfmpeg({ ffmpeg: config.ffmpeg.path, ffprobe: config.ffmpeg.ffprobePath });
  const encoder = await selectEncoder(encoderSettingsFromConfig(config, ffmpeg.ffmpeg));
  const renditions = renditionsFor(config, encoder, SOURCE_HEIGHT);

  const root = mkdtempSync(join(tmpdir(), 'livecast-bench-'));
  rootDir = root;
  const source = join(root, 'source.flv');
  await makeSource(ffmpeg.ffmpeg, source, duration);

  // One RTMP server for every round: NMS keeps its event emitter, config and broadcasts in a
  // process-wide singleton, so a second server in this process would also see every publish
  // (the first server's handlers stay registered after stop()).
  const gate = new BenchGate({ config, encoder, log });
  const server = new RtmpIngestServer({
    host: '127.0.0.1', port: await freeLoopbackPort(), app: 'live', workDir: join(root, 'rtmp'), gate, log: log.child('rtmp'),
    limits: rtmpLimits(config),
  });
  rtmpServer = server;
  await server.start();
  return { seconds: duration, rounds, config, ffmpeg, encoder, renditions, root, source, gate, server };
}

// ---------------------------------------------------------------- measuring

/** Seconds of video our packager recorded for the first rendition (every segment is kept). */
function recordedSeconds(outputDir: string): number {
  const manifest = join(outputDir, '0', SEGMENT_MANIFEST);
  if (!existsSync(manifest)) return 0;
  return readFileSync(manifest, 'utf8').split('\n').filter(Boolean)
    .reduce((total, line) => total + (JSON.parse(line) as { durationSeconds: number }).durationSeconds, 0);
}

/** Drains a rendition's fMP4 pipe, adding up the video seconds in its fragments. */
function drainCountingSeconds(output: NodeJS.ReadableStream): () => number {
  const parser = new Fmp4StreamParser();
  let init: InitSegment | undefined;
  let seconds = 0;
  output.on('data', (chunk: Buffer) => {
    for (const event of parser.push(chunk)) {
      if (event.type === 'init') init = event.init;
      const video = init?.tracks.find((track) => track.kind === 'video');
      if (event.type !== 'fragment' || !video) continue;
      const fragment = event.fragment.tracks.find((track) => track.trackId === video.id);
      if (fragment) seconds += fragment.duration / video.timescale;
    }
  });
  return () => seconds;
}

/**
 * The bare ffmpeg: the arguments LiveTranscoder would build for the same renditions, with
 * `-re` added in front of the input. The input stays `-f flv -i pipe:0` and Node pipes the
 * file into stdin, rather than `-i source.flv`: ffmpeg then demuxes a non-seekable pipe
 * exactly as our transcoder does, and the argument lists differ by `-re` and the output folder
 * only (checked every round). `-re` paces the read at the source's frame rate, as the
 * publisher's `-re` paces our live, so both encoders see the same real-time input.
 */
function bareArguments(bench: Bench): string[] {
  const profile = hls.latencyProfile(LATENCY_MODE);
  const args = buildLiveCommand({
    renditions: bench.renditions,
    backend: bench.encoder.backend,
    caps: bench.encoder.caps,
    hasAudio: true,
    keyframeSeconds: profile.segmentSeconds,
    fragmentSeconds: profile.partSeconds,
  });
  const input = args.indexOf('-i');
  if (args[input + 1] !== 'pipe:0' || args[input - 2] !== '-f' || args[input - 1] !== 'flv') {
    throw new Error(`unexpected input arguments in the live command: ${args.join(' ')}`);
  }
  args.splice(input - 2, 0, '-re');
  return args;
}

async function runBare(bench: Bench, round: number): Promise<RunResult> {
  const outputDir = join(bench.root, `round-${round}`, 'bare');
  mkdirSync(outputDir, { recursive: true });
  const meter = meteredFfmpeg(bench.root, `round-${round}-bare`, bench.ffmpeg.ffmpeg);
  const started = performance.now();
  const child = track(spawnFfmpeg(meter.path, bareArguments(bench), { stdin: 'pipe', outputPipes: bench.renditions.length }));
  // The bare ffmpeg's fMP4 goes nowhere: drained (and the first rendition's seconds counted),
  // so that it never blocks on a full pipe.
  const outputSeconds = child.outputs.map((output) => drainCountingSeconds(output));
  if (!child.stdin) throw new Error('bare ffmpeg has no stdin');
  // Ends stdin at the end of the file: ffmpeg then flushes and exits, as on LiveTranscoder.stop().
  createReadStream(bench.source).pipe(child.stdin);
  const { code, signal } = await bounded(child.exited, runLimitMs(bench), 'the bare ffmpeg', () => child.kill('SIGKILL'));
  const wallSeconds = seconds(performance.now() - started);
  if (code !== 0) throw new Error(`bare ffmpeg exited (${signal ?? `code ${code}`}): ${child.stderrTail()}`);
  const notes: string[] = [];
  if (outputSeconds.some((seconds) => seconds() === 0)) notes.push('a bare rendition produced no output');
  return { ffmpegCpu: totalSeconds(meter.cpu()), nodeCpu: 0, wallSeconds, mediaSeconds: outputSeconds[0](), args: meter.argumentLists()[0] ?? [], outputDir, notes };
}

function publisherArguments(source: string, url: string): string[] {
  return ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-i', source, '-c', 'copy', '-f', 'flv', url];
}

async function runOurs(bench: Bench, round: number): Promise<OursResult> {
  const outputDir = join(bench.root, `round-${round}`, 'ours');
  const transcoderMeter = meteredFfmpeg(bench.root, `round-${round}-ours`, bench.ffmpeg.ffmpeg);
  const publisherMeter = meteredFfmpeg(bench.root, `round-${round}-publisher`, bench.ffmpeg.ffmpeg);
  // A fresh stream key per round, so that nothing NMS keeps per stream path carries over.
  const streamKey = `bench-${round}`;
  const url = `rtmp://127.0.0.1:${bench.server.port}/live/${streamKey}`;

  const nodeBefore = process.cpuUsage();
  const started = performance.now();
  const admitted = bench.gate.expect({ streamKey, outputDir, ffmpegPath: transcoderMeter.path });
  const publisher = track(spawnFfmpeg(publisherMeter.path, publisherArguments(bench.source, url), { stdin: 'ignore' }));
  const kill = () => publisher.kill('SIGKILL');
  const live = await bounded(admitted, ADMIT_TIMEOUT_MS, 'admitting the publish', kill);
  currentLive = live;
  const published = await bounded(publisher.exited, runLimitMs(bench), 'the publisher', kill);
  if (published.code !== 0) throw new Error(`publisher exited (${published.signal ?? `code ${published.code}`}): ${publisher.stderrTail()}`);
  // NMS reports the publisher gone once it has read the socket to the end; the gate then stops
  // the transcoder (stdin closed, ffmpeg flushes the last segment), as LiveManager does.
  await bounded(live.gone, PUBLISHER_GONE_TIMEOUT_MS, 'NMS noticing the publisher left');
  await bounded(live.end(), TRANSCODER_STOP_TIMEOUT_MS, 'stopping the transcoder');
  const nodeCpu = cpuSeconds(process.cpuUsage(nodeBefore));
  const wallSeconds = seconds(performance.now() - started);
  currentLive = undefined;

  if (live.failure) throw new Error(`our transcoder failed: ${live.failure}`);
  const notes: string[] = [];
  const transcoder = live.transcoder;
  if (!transcoder) throw new Error('our transcoder never started');
  if (transcoder.restarts > 0) notes.push(`ours restarted ffmpeg ${transcoder.restarts} time(s)`);
  if (transcoder.droppedChunks > 0) notes.push(`ours dropped ${transcoder.droppedChunks} input chunks (ffmpeg too slow): it encoded less`);
  const mediaSeconds = recordedSeconds(outputDir);
  return {
    ffmpegCpu: totalSeconds(transcoderMeter.cpu()), nodeCpu, wallSeconds, mediaSeconds,
    args: transcoderMeter.argumentLists()[0] ?? [], outputDir, notes,
    publisherCpu: totalSeconds(publisherMeter.cpu()),
  };
}

/** Both sides must have run the same encode: same arguments but for `-re` and the output folder. */
function checkSameEncode(bare: RunResult, ours: RunResult): void {
  const normalise = (result: RunResult) => result.args
    .filter((arg) => arg !== '-re')
    .map((arg) => arg.replaceAll(result.outputDir, '<out>'));
  const [a, b] = [normalise(bare), normalise(ours)];
  if (a.length === 0 || JSON.stringify(a) !== JSON.stringify(b)) {
    throw new Error(`the two sides did not run the same encode:\n  bare: ${a.join(' ')}\n  ours: ${b.join(' ')}`);
  }
}

// ---------------------------------------------------------------- rounds and report

interface Round { index: number; bareFirst: boolean; bare: RunResult; ours: OursResult; ratio: number }

async function runRound(bench: Bench, index: number): Promise<Round> {
  // Alternate the order, so that neither side always runs on a warmer (or busier) machine.
  const bareFirst = index % 2 === 1;
  let bare: RunResult;
  let ours: OursResult;
  if (bareFirst) {
    bare = await runBare(bench, index);
    ours = await runOurs(bench, index);
  } else {
    ours = await runOurs(bench, index);
    bare = await runBare(bench, index);
  }
  checkSameEncode(bare, ours);
  // Per second of video encoded: the live path may carry a few frames more or less than the file
  // (where the publisher's connection starts and ends), which is not a cost difference.
  const ratio = ((ours.nodeCpu + ours.ffmpegCpu) / ours.mediaSeconds) / (bare.ffmpegCpu / bare.mediaSeconds);
  return { index, bareFirst, bare, ours, ratio };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const f = (value: number, digits = 2) => value.toFixed(digits);

function printHeader(bench: Bench): void {
  const ladder = bench.renditions.map((rung) => `${rung.height}p`).join('/');
  const preset = bench.encoder.backend.id === 'libx264' ? ` preset ${bench.encoder.caps.x264Preset}` : '';
  console.log(`transcode bench: ${SOURCE_HEIGHT}p30 source, ${bench.seconds} s, ladder ${ladder}, ` +
    `${bench.encoder.backend.id}${preset}, ffmpeg ${bench.ffmpeg.version} (${bench.ffmpeg.origin}), ${bench.rounds} round(s)`);
  console.log('CPU = user+sys seconds. ours = node (RTMP ingest + FLV tap + LL-HLS packager) + transcoder ffmpeg; publisher not counted.');
  console.log('');
  console.log(['round', 'first', 'bare cpu', 'bare wall', 'ours cpu', 'node', 'ffmpeg', 'ours wall', 'ratio']
    .map((title, column) => column < 2 ? title.padEnd(6) : title.padStart(10)).join(''));
}

function printRound(round: Round): void {
  const { bare, ours } = round;
  const cells = [
    String(round.index).padEnd(6), (round.bareFirst ? 'bare' : 'ours').padEnd(6),
    f(bare.ffmpegCpu), `${f(bare.wallSeconds, 1)} s`, f(ours.nodeCpu + ours.ffmpegCpu), f(ours.nodeCpu), f(ours.ffmpegCpu),
    `${f(ours.wallSeconds, 1)} s`, f(round.ratio, 3),
  ];
  console.log(cells.map((cell, column) => column < 2 ? cell : cell.padStart(10)).join(''));
  for (const note of [...bare.notes.map((n) => `bare: ${n}`), ...ours.notes]) console.log(`      ! ${note}`);
}

function printSummary(rounds: Round[]): void {
  const ratio = median(rounds.map((round) => round.ratio));
  const mean = (pick: (round: Round) => number) => rounds.reduce((sum, round) => sum + pick(round), 0) / rounds.length;
  console.log('');
  console.log(`median ratio (ours / bare): ${f(ratio, 3)}   target <= ${f(TARGET_RATIO)}: ${ratio <= TARGET_RATIO ? 'PASS' : 'ABOVE'}`);
  console.log(`not counted: publisher ffmpeg ${f(mean((round) => round.ours.publisherCpu))} s CPU per round. ` +
    `Video seconds encoded (first rendition): bare ${rounds.map((round) => f(round.bare.mediaSeconds, 1)).join('/')}, ` +
    `ours ${rounds.map((round) => f(round.ours.mediaSeconds, 1)).join('/')}; the ratio compares CPU per encoded second.`);
}

// ---------------------------------------------------------------- main

let tearingDown: Promise<void> | undefined;

/** Stops whatever is still running and removes the temp folder; bounded. The signal handler
 * and the normal exit path may both ask: they share one tear-down. */
function tearDown(): Promise<void> {
  tearingDown ??= (async () => {
    const running = [...children];
    for (const child of running) child.kill('SIGTERM');
    await bounded(Promise.all([currentLive?.end(), ...running.map((child) => child.exited), rtmpServer?.stop()]),
      TEARDOWN_TIMEOUT_MS, 'tear-down', () => running.forEach((child) => child.kill('SIGKILL'))).catch((error: Error) =>
      console.error(`warning: ${error.message}`));
    if (rootDir) rmSync(rootDir, { recursive: true, force: true });
  })();
  return tearingDown;
}

async function main(): Promise<number> {
  const bench = await setUp();
  printHeader(bench);
  const rounds: Round[] = [];
  for (let index = 1; index <= bench.rounds; index++) {
    const round = await runRound(bench, index);
    rounds.push(round);
    printRound(round);
  }
  printSummary(rounds);
  return 0;
}

// A persistent handler, not `once`: NMS's store has its own that flushes, removes itself and
// raises the signal again, which would otherwise kill us in the middle of the tear-down.
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: stopping`);
    void tearDown().finally(() => process.exit(130));
  });
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  // After an interrupt the children were killed on purpose: their failure is no news.
  if (!interrupted) console.error(`bench failed: ${(error as Error).stack ?? String(error)}`);
} finally {
  await tearDown();
}
// NMS and the store may keep timers alive; the numbers are printed, so leave now.
process.exit(interrupted ? 130 : exitCode);
