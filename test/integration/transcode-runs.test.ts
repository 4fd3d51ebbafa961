// Issue 9, defect 7: pg-boss retried a transcode whose first run still went on, and the retry's
// rmSync(outputDir) deleted the running transcode's output. Now each run writes a folder of its own,
// the first to finish publishes, an aborted run stops its ffmpeg, and a queue's expiry aborts the
// job's signal. The second run is the real handler (processVodTranscode) on the server's database
// and media folder, called beside the server's own run of the same job.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { fetchText, parsePlaylist } from '../helpers/media.ts';
import { makeClip, resumableUpload } from '../helpers/uploads.ts';
import { waitFor } from '../helpers/wait.ts';
import { processVodTranscode, type VodTranscodeContext } from '../../core/vod/transcode-job.ts';
import { startJobQueue } from '../../jobs/index.ts';
import { spawnFfmpeg } from '../../packager/ffmpeg-process.ts';
import { x264 } from '../../packager/encoders/x264.ts';
import { createLogger } from '../../config/logger.ts';
import { videos, VideoState } from '../../db/index.ts';

const execFileAsync = promisify(execFile);
const LADDER = [{ height: 360, videoBitrateKbps: 800, audioBitrateKbps: 96 }, { height: 240, videoBitrateKbps: 400, audioBitrateKbps: 64 }];

/** ffmpeg processes that are children of this test process. */
function ourFfmpegs(): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n').filter((line) => /ffmpeg/.test(line)).map((line) => Number(line.trim().split(/\s+/)[0]));
  } catch {
    return []; // ps exits 1 when there are none
  }
}

describe('a transcode job run twice, or aborted', () => {
  let server: TestServer;
  let admin: ApiClient;
  let pool: pg.Pool;
  let context: VodTranscodeContext;
  let channelId: number;

  before(async () => {
    server = await createTestServer({ TRANSCODING_LADDER: JSON.stringify(LADDER) });
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
    channelId = (await admin.get('/api/v1/users/me')).body.videoChannels[0].id;
    pool = new pg.Pool({ connectionString: server.databaseUrl, max: 4 });
    context = {
      pool,
      mediaRoot: join(server.dataDir, 'streaming-playlists'),
      ffmpeg: { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', origin: 'system', version: 'system' },
      encoder: {
        requested: 'libx264', backend: x264, step: 'requested' as never, compiledIn: [], trials: [],
        caps: { ffmpegPath: 'ffmpeg', hardwareDecode: false, x264Preset: 'veryfast', vaapiDevice: '', threads: 1 },
      },
      transcoding: { ladder: LADDER } as VodTranscodeContext['transcoding'],
      mediaAccess: { forget: () => undefined } as unknown as VodTranscodeContext['mediaAccess'],
      log: createLogger('warn', 'second-run'),
    };
  });

  after(async () => {
    await pool?.end();
    await server?.destroy();
  });

  /** Every segment of the published video is served, and the whole of it decodes. */
  async function assertPlays(published: any, seconds: number) {
    const master = `${server.baseUrl}${published.streamingPlaylists[0].playlistUrl}`;
    for (const rendition of ['0', '1']) {
      const variant = new URL(`${rendition}/index.m3u8`, master).href;
      const playlist = parsePlaylist(await fetchText(variant));
      assert.ok(playlist.ended && playlist.uris.length > 0);
      for (const uri of playlist.uris) assert.equal((await fetch(new URL(uri, variant))).status, 200, `${uri} is served`);
      await execFileAsync('ffmpeg', ['-v', 'error', '-xerror', '-i', variant, '-f', 'null', '-']);
      const { stdout } = await execFileAsync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', variant]);
      assert.ok(Math.abs(Number(stdout) - seconds) <= 1.5, `rendition ${rendition} lasts ${stdout.trim()} s`);
    }
  }

  it('a second run beside the first destroys nothing, and one of them publishes', async () => {
    const clip = join(server.dataDir, 'long.mp4');
    const bytes = makeClip(clip, '640x360', 20);
    const response = await resumableUpload(server.baseUrl, admin.token, '/api/v1/videos/upload-resumable',
      { channelId, name: 'twice', filename: 'twice.mp4', privacy: 1 }, bytes);
    assert.equal(response.status, 200);
    const { video } = await response.json() as { video: { id: number; uuid: string } };
    // The server's run is under way (as a run is when pg-boss expires it). Its progress moves in
    // coarse steps (0, 66, then published on a quiet machine), so any progress at all is the sign.
    await waitFor('the first run under way', async () => {
      const current = (await admin.get(`/api/v1/videos/${video.id}`)).body;
      return current.state.id === 2 && current.processingProgress > 0 ? true : undefined;
    }, { timeoutMs: 120_000, intervalMs: 100 });
    const original = readdirSync(join(server.dataDir, 'uploads', 'originals')).find((name) => name.startsWith(video.uuid));
    assert.ok(original, 'the original waits for its transcode');
    // ...when pg-boss would start the same job again: the real handler, beside it.
    const second = processVodTranscode(context, { videoId: video.id, source: join(server.dataDir, 'uploads', 'originals', original) });
    const published = await waitFor('published', async () => {
      const current = (await admin.get(`/api/v1/videos/${video.id}`)).body;
      if (current.state.id === 7) throw new Error(`failed: ${current.error}`);
      return current.state.id === 1 ? current : undefined;
    }, { timeoutMs: 240_000, intervalMs: 100 });
    // From the moment it is published, everything it lists is there (the second run is still going).
    await assertPlays(published, 20);
    await second;
    const final = (await admin.get(`/api/v1/videos/${video.id}`)).body;
    assert.equal(final.state.id, 1, `the video is ${final.state.label}: ${final.error ?? ''}`);
    assert.equal(final.streamingPlaylists[0].playlistUrl, published.streamingPlaylists[0].playlistUrl);
    await assertPlays(final, 20);
    // The run that lost removed its own folder, and only it.
    const folders = readdirSync(join(context.mediaRoot, 'hls', video.uuid)).filter((name) => name.startsWith('vod-'));
    assert.equal(folders.length, 1, `one folder left: ${folders.join(', ')}`);
  });

  it('an aborted run stops its ffmpeg, keeps the original, and the retry publishes', async () => {
    // A video waiting for its transcode, with no job queued: only this test runs it.
    const uuid = randomUUID();
    const source = join(server.dataDir, 'uploads', 'originals', `${uuid}.mp4`);
    makeClip(source, '640x360', 20);
    const id = await videos.insertVideo(pool, {
      uuid, channelId, name: 'aborted', description: '', privacy: 1, state: VideoState.TO_TRANSCODE, isLive: false,
    });
    const controller = new AbortController();
    const run = processVodTranscode(context, { videoId: id, source }, { signal: controller.signal });
    await waitFor('its ffmpeg running', () => existsSync(join(context.mediaRoot, 'hls', uuid, 'vod-1', '0', 'init.mp4')) && ourFfmpegs().length > 0,
      { timeoutMs: 60_000, intervalMs: 100 });
    const abortedAt = Date.now();
    controller.abort(new Error('job expired'));
    await assert.rejects(run);
    assert.ok(Date.now() - abortedAt < 5000, `stopped ${Date.now() - abortedAt} ms after the abort`);
    assert.deepEqual(ourFfmpegs(), [], 'no ffmpeg left running');
    const row = await videos.findVideo(pool, { id });
    assert.equal(row?.state, VideoState.TO_TRANSCODE, 'an aborted run does not fail the video');
    assert.ok(existsSync(source), 'the original is kept for the retry');
    assert.equal(existsSync(join(context.mediaRoot, 'hls', uuid, 'vod-1')), false, 'its half-written folder is gone');
    await processVodTranscode(context, { videoId: id, source });
    await assertPlays((await admin.get(`/api/v1/videos/${id}`)).body, 20);
  });

  it('a queue\'s expiry aborts the job\'s signal, which stops its ffmpeg', async () => {
    const jobs = await startJobQueue(server.databaseUrl, createLogger('error', 'expiry-test'));
    try {
      let outcome: { code: number | null; signal: NodeJS.Signals | null; aborted: boolean; seconds: number } | undefined;
      await jobs.handle<{ n: number }>('expiry-test', async (_data, run) => {
        const startedAt = Date.now();
        const handle = spawnFfmpeg('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=duration=120', '-f', 'null', '-'],
          { signal: run.signal });
        const exited = await handle.exited;
        outcome = { ...exited, aborted: run.signal.aborted, seconds: (Date.now() - startedAt) / 1000 };
      }, { expireInSeconds: 3, retryLimit: 0 });
      await jobs.enqueue('expiry-test', { n: 1 });
      await waitFor('the expired job\'s ffmpeg stopped', () => outcome, { timeoutMs: 60_000, intervalMs: 200 });
      assert.equal(outcome!.aborted, true);
      // ffmpeg ends on SIGTERM by itself (exit code 255), long before its 120 s.
      assert.ok(outcome!.signal !== null || outcome!.code !== 0, `ffmpeg stopped (${outcome!.code ?? outcome!.signal})`);
      assert.ok(outcome!.seconds < 15, `ffmpeg ran ${outcome!.seconds} s of its 120`);
    } finally {
      await jobs.stop();
    }
  });
});
