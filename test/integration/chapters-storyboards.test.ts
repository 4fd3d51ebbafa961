// Chapters and storyboards of an on-demand video (a replay): chapters imported from the
// description and edited through PeerTube's API; the storyboard job's sprite sheet and WebVTT
// track, served through the media route.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient, type ApiResponse } from '../helpers/api.ts';
import { makeReplay, waitForStoryboard } from '../helpers/replay.ts';
import { waitFor } from '../helpers/wait.ts';

function vttSeconds(text: string): number {
  const [h, m, s] = text.split(':');
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

describe('chapters and storyboards', () => {
  let server: TestServer;
  let admin: ApiClient;
  let replay: { id: number; uuid: string; duration: number; streamingPlaylists: Array<{ playlistUrl: string }> };
  /** What an anonymous viewer read of the chapters once the replay was published, before any test edits them. */
  let chaptersAtPublish: ApiResponse;
  const work = mkdtempSync(join(tmpdir(), 'livecast-storyboard-test-'));

  before(async () => {
    server = await createTestServer({ TRANSCODING_LADDER: JSON.stringify([{ height: 360, videoBitrateKbps: 800 }, { height: 240, videoBitrateKbps: 400 }]) });
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
    replay = (await makeReplay(server, admin, { name: 'Talk', description: 'A talk.\n00:00 Intro\n00:04 Part two\nThanks!' })).video;
    // The import follows the publication closely: give it a moment, and keep the last answer either way.
    const anonymous = new ApiClient(server.baseUrl);
    await waitFor('the chapters of the description', async () => {
      chaptersAtPublish = await anonymous.get(`/api/v1/videos/${replay.uuid}/chapters`);
      return chaptersAtPublish.body?.chapters?.length > 0;
    }, { timeoutMs: 10_000, intervalMs: 200 }).catch(() => undefined);
  });

  after(async () => {
    await server?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  it('imports the chapters written in the description when the replay is published', async () => {
    const response = chaptersAtPublish;
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { chapters: [{ timecode: 0, title: 'Intro' }, { timecode: 4, title: 'Part two' }] });
  });

  it('replaces the chapters, and refuses invalid ones', async () => {
    const path = `/api/v1/videos/${replay.id}/chapters`;
    const put = (chapters: unknown) => admin.put(path, { chapters });
    assert.equal((await put([{ timecode: 0, title: '' }])).status, 400, 'empty title');
    assert.equal((await put([{ timecode: 0, title: '   ' }])).status, 400, 'blank title');
    assert.equal((await put([{ timecode: 1, title: 'a' }, { timecode: 1, title: 'b' }])).status, 400, 'duplicate timecodes');
    assert.equal((await put([{ timecode: 0, title: 'x'.repeat(101) }])).status, 400, 'title over 100 characters');
    assert.equal((await put([{ timecode: -1, title: 'Before' }])).status, 400, 'negative timecode');
    assert.equal((await put([{ timecode: 1.5, title: 'Half' }])).status, 400, 'not an integer');
    assert.equal((await put([{ timecode: replay.duration + 60, title: 'After the end' }])).status, 400, 'after the end');
    assert.equal((await put([{ timecode: 3, title: 'Middle' }, { timecode: 0, title: 'x'.repeat(100) }])).status, 204);
    assert.deepEqual((await admin.get(path)).body.chapters, [{ timecode: 0, title: 'x'.repeat(100) }, { timecode: 3, title: 'Middle' }]);

    // A description update does not overwrite chapters the video already has.
    assert.equal((await admin.put(`/api/v1/videos/${replay.id}`, { description: '00:00 One\n00:02 Two' })).status, 204);
    assert.equal((await admin.get(path)).body.chapters.length, 2);
    assert.equal((await admin.get(path)).body.chapters[1].title, 'Middle');
    // …but gives chapters to one that has none.
    assert.equal((await put([])).status, 204);
    assert.equal((await admin.put(`/api/v1/videos/${replay.id}`, { description: '00:00 One\n00:02 Two' })).status, 204);
    assert.deepEqual((await admin.get(path)).body.chapters, [{ timecode: 0, title: 'One' }, { timecode: 2, title: 'Two' }]);
  });

  it('refuses chapters on a live, and to anyone but the owner or an admin', async () => {
    const live = await admin.createLive({ name: 'Still live' });
    const onLive = await admin.put(`/api/v1/videos/${live.id}/chapters`, { chapters: [{ timecode: 0, title: 'Intro' }] });
    assert.equal(onLive.status, 400);

    const created = await admin.post('/api/v1/users', { username: 'viewer1', password: 'viewer-password-1', email: 'viewer1@example.com' });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const viewer = new ApiClient(server.baseUrl);
    assert.equal((await viewer.login('viewer1', 'viewer-password-1')).status, 200);
    const forbidden = await viewer.put(`/api/v1/videos/${replay.id}/chapters`, { chapters: [{ timecode: 0, title: 'Mine' }] });
    assert.equal(forbidden.status, 403);
    const anonymous = await new ApiClient(server.baseUrl).put(`/api/v1/videos/${replay.id}/chapters`, { chapters: [] });
    assert.equal(anonymous.status, 401);
  });

  it('makes a storyboard whose sprite sheet and WebVTT track match the API', async () => {
    const storyboard = await waitForStoryboard(admin, replay.id);
    const listed = (await new ApiClient(server.baseUrl).get(`/api/v1/videos/${replay.uuid}/storyboards`)).body;
    assert.equal(listed.storyboards.length, 1);
    assert.equal(listed.status, undefined, 'the generation status is for the owner only');
    assert.equal(storyboard.spriteWidth, 160);
    assert.ok(storyboard.spriteDuration >= 1);
    assert.match(storyboard.storyboardPath, /^\/static\/streaming-playlists\/hls\/.+\/storyboard\.jpg$/);

    const image = await fetch(`${server.baseUrl}${storyboard.storyboardPath}`);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/jpeg');
    const file = join(work, 'storyboard.jpg');
    writeFileSync(file, Buffer.from(await image.arrayBuffer()));
    const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', file], { encoding: 'utf8' })) as
      { streams: Array<{ codec_name: string; width: number; height: number }> };
    assert.equal(probe.streams[0].codec_name, 'mjpeg');
    assert.equal(probe.streams[0].width, storyboard.totalWidth);
    assert.equal(probe.streams[0].height, storyboard.totalHeight);
    execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { stdio: 'pipe' }); // decodes without error
    assert.equal(storyboard.totalWidth % storyboard.spriteWidth, 0);
    assert.equal(storyboard.totalHeight % storyboard.spriteHeight, 0);

    const vttResponse = await fetch(`${server.baseUrl}${storyboard.storyboardPath.replace(/\.jpg$/, '.vtt')}`);
    assert.equal(vttResponse.status, 200);
    assert.match(vttResponse.headers.get('content-type') ?? '', /^text\/vtt/);
    const vtt = await vttResponse.text();
    assert.match(vtt, /^WEBVTT\n/);
    const cues = [...vtt.matchAll(/(\d+:\d{2}:\d{2}\.\d{3}) --> (\d+:\d{2}:\d{2}\.\d{3})\n(\S+)#xywh=(\d+),(\d+),(\d+),(\d+)/g)]
      .map((match) => ({ start: vttSeconds(match[1]), end: vttSeconds(match[2]), url: match[3], x: +match[4], y: +match[5], w: +match[6], h: +match[7] }));
    assert.ok(cues.length >= 2, `${cues.length} cues`);
    assert.equal(cues[0].start, 0);
    for (let index = 1; index < cues.length; index++) assert.equal(cues[index].start, cues[index - 1].end, 'cues follow each other');
    assert.ok(cues.at(-1)!.end >= replay.duration, `the cues cover the duration (${cues.at(-1)!.end} of ${replay.duration} s)`);
    for (const cue of cues) {
      assert.equal(cue.url, storyboard.storyboardPath);
      assert.equal(cue.w, storyboard.spriteWidth);
      assert.equal(cue.h, storyboard.spriteHeight);
      assert.ok(cue.x + cue.w <= storyboard.totalWidth && cue.y + cue.h <= storyboard.totalHeight, 'inside the sheet');
    }
  });
});
