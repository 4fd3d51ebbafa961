// Our LL-HLS output, checked by an independent strict parser and by ffmpeg as a player, in every
// latency mode: parts and preload hints, blocking playlist reload, delta updates, rendition reports.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import HLS from 'hls-parser';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { publish, type Publisher } from '../helpers/publisher.ts';
import { fetchText } from '../helpers/media.ts';
import { waitFor } from '../helpers/wait.ts';

const execFileAsync = promisify(execFile);
HLS.setOptions({ strictMode: true });

const MODES = [
  { latencyMode: 1, name: 'default', partTarget: 1 / 3, lowLatency: true },
  { latencyMode: 2, name: 'high latency', partTarget: undefined, lowLatency: false },
  { latencyMode: 3, name: 'small latency', partTarget: 0.25, lowLatency: true },
] as const;

describe('LL-HLS output', () => {
  let server: TestServer;
  let admin: ApiClient;
  const publishers = new Map<number, Publisher>();
  const masters = new Map<number, string>();

  before(async () => {
    server = await createTestServer({ TRANSCODING_LADDER: JSON.stringify([{ height: 360, videoBitrateKbps: 800 }, { height: 240, videoBitrateKbps: 400 }]) });
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
    // One live per mode, all at once.
    await Promise.all(MODES.map(async (mode) => {
      const live = await admin.createLive({ name: `Mode ${mode.name}`, latencyMode: mode.latencyMode });
      publishers.set(mode.latencyMode, publish(`rtmp://127.0.0.1:${server.rtmpPort}/live/${live.streamKey}`, { width: 640, height: 360, seconds: 120 }));
      const video = await waitFor(`mode ${mode.name} published`, async () => {
        const current = (await admin.get(`/api/v1/videos/${live.id}`)).body;
        return current.state.id === 1 ? current : undefined;
      }, { timeoutMs: 30_000 });
      masters.set(mode.latencyMode, `${server.baseUrl}${video.streamingPlaylists[0].playlistUrl}`);
    }));
  });

  after(async () => {
    await Promise.all([...publishers.values()].map((publisher) => publisher.stop()));
    await server?.destroy();
  });

  for (const mode of MODES) {
    it(`emits playlists that pass a strict parser (${mode.name})`, async () => {
      const masterUrl = masters.get(mode.latencyMode)!;
      const master = HLS.parse(await fetchText(masterUrl)) as HLS.types.MasterPlaylist;
      assert.ok(master.isMasterPlaylist);
      assert.deepEqual(master.variants.map((variant) => variant.resolution?.height), [360, 240]);
      assert.ok(master.variants.every((variant) => /avc1\.\w{6},mp4a\.40\.2/.test(variant.codecs ?? '')));
      const variantUrl = new URL(master.variants[0].uri, masterUrl).href;
      // Two full segments so that the media sequence, parts and reports are all in play.
      await waitFor('two segments', async () => (await fetchText(variantUrl)).split('#EXTINF').length > 2, { timeoutMs: 30_000 });
      const text = await fetchText(variantUrl);
      const playlist = HLS.parse(text) as HLS.types.MediaPlaylist;
      assert.ok(playlist.segments.length >= 2);
      assert.ok(playlist.segments[0].programDateTime instanceof Date, 'segments carry EXT-X-PROGRAM-DATE-TIME');
      if (mode.lowLatency) {
        // The target of the mode, raised to the longest part seen (ffmpeg overshoots by up to a frame).
        const partTarget = Number(/#EXT-X-PART-INF:PART-TARGET=([\d.]+)/.exec(text)?.[1]);
        assert.ok(partTarget >= mode.partTarget! && partTarget <= mode.partTarget! + 0.05, `PART-TARGET ${partTarget}`);
        assert.match(text, /#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=[\d.]+.*CAN-SKIP-UNTIL=/);
        assert.match(text, /#EXT-X-PART:DURATION=[\d.]+,URI="part-\d+\.m4s",INDEPENDENT=YES/);
        assert.match(text, /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-\d+\.m4s"/);
        assert.match(text, /#EXT-X-RENDITION-REPORT:URI="\.\.\/1\/index\.m3u8",LAST-MSN=\d+,LAST-PART=\d+/);
        HLS.parse(await fetchText(`${variantUrl}?_HLS_skip=YES`));
      } else {
        assert.doesNotMatch(text, /#EXT-X-PART|PRELOAD-HINT/);
        assert.ok(playlist.targetDuration >= 4, `plain HLS uses long segments (${playlist.targetDuration})`);
      }
    });
  }

  it('answers a blocking playlist reload the moment the part exists', async () => {
    const masterUrl = masters.get(3)!;
    const variantUrl = new URL('0/index.m3u8', masterUrl).href;
    const text = await fetchText(variantUrl);
    const report = /LAST-MSN=(\d+),LAST-PART=(\d+)/.exec(text)!;
    const hinted = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="(part-\d+\.m4s)"/.exec(text)![1];
    const [msn, part] = [Number(report[1]), Number(report[2])];
    const started = Date.now();
    // The part after the sibling's last: it does not exist yet, the request must wait for it.
    const [blocked, hintedPart] = await Promise.all([
      fetch(`${variantUrl}?_HLS_msn=${msn}&_HLS_part=${part + 1}`),
      fetch(new URL(hinted, variantUrl)),
    ]);
    const waited = Date.now() - started;
    assert.equal(blocked.status, 200);
    assert.ok(waited < 3 * 1000, `answered within a few part durations (${waited} ms)`);
    HLS.parse(await blocked.text());
    assert.equal(hintedPart.status, 200, 'the preload-hinted part is streamed once it exists');
    assert.equal(hintedPart.headers.get('content-type'), 'video/mp4');
    assert.ok((await hintedPart.arrayBuffer()).byteLength > 100);
    const tooFar = await fetch(`${variantUrl}?_HLS_msn=${msn + 10}`);
    assert.equal(tooFar.status, 400);
    const bad = await fetch(`${variantUrl}?_HLS_part=1`);
    assert.equal(bad.status, 400, '_HLS_part without _HLS_msn is an error');
  });

  it('closes the playlists with ENDLIST when the live ends, still valid and served from disk', async () => {
    const masterUrl = masters.get(1)!;
    await publishers.get(1)!.stop();
    const variantUrl = new URL('0/index.m3u8', masterUrl).href;
    const ended = await waitFor('ENDLIST', async () => {
      const text = await fetchText(variantUrl);
      return text.includes('#EXT-X-ENDLIST') ? text : undefined;
    }, { timeoutMs: 20_000 });
    const playlist = HLS.parse(ended) as HLS.types.MediaPlaylist;
    assert.ok(playlist.endlist);
    assert.ok((HLS.parse(await fetchText(masterUrl)) as HLS.types.MasterPlaylist).isMasterPlaylist);
    const last = new URL(playlist.segments.at(-1)!.uri, variantUrl);
    assert.equal((await fetch(last)).status, 200, 'the segments stay on disk for the DVR window');
  });

  it('plays the LL-HLS master in ffmpeg', async () => {
    const { stderr } = await execFileAsync('ffmpeg', ['-v', 'error', '-i', masters.get(3)!, '-map', '0:v:0', '-t', '3', '-f', 'null', '-'], { timeout: 60_000 });
    assert.equal(stderr.trim(), '');
  });
});
