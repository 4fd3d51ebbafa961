// An on-demand video made the way users get one today: a live with saveReplay, published for a
// few seconds, then its replay.
import type { ApiClient } from './api.ts';
import type { TestServer } from './server.ts';
import { publish } from './publisher.ts';
import { sleep, waitFor } from './wait.ts';

export async function makeReplay(server: TestServer, owner: ApiClient, settings: Record<string, unknown>, seconds = 8) {
  const live = await owner.createLive({ saveReplay: true, replaySettings: { privacy: 1 }, ...settings });
  const publisher = publish(`rtmp://127.0.0.1:${server.rtmpPort}/live/${live.streamKey}`, { width: 640, height: 360, seconds: 120 });
  await sleep(seconds * 1000);
  await publisher.stop();
  const video = await waitFor('the replay', async () => {
    const current = (await owner.get(`/api/v1/videos/${live.id}`)).body;
    return !current.isLive && current.state.id === 1 && current.streamingPlaylists.length > 0 ? current : undefined;
  }, { timeoutMs: 60_000, intervalMs: 500 });
  return { live, video };
}

/** Waits for the video's storyboard to be listed (the `storyboard` job has run). */
export async function waitForStoryboard(owner: ApiClient, videoId: number) {
  return waitFor('the storyboard', async () => {
    const body = (await owner.get(`/api/v1/videos/${videoId}/storyboards`)).body;
    if (body?.status?.state === 'failed') throw new Error(`storyboard failed: ${body.status.error}`);
    return body?.storyboards?.length ? body.storyboards[0] : undefined;
  }, { timeoutMs: 60_000, intervalMs: 500 });
}
