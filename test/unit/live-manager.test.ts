// The live manager's state machine: admit, busy key, resume within the grace, end, and a permanent
// live back to waiting. FAKES, for a unit test of the state machine only: an in-memory LiveStore
// stands for Postgres, a fake transcoder (an EventEmitter) for ffmpeg and the packager, and a fake
// feed for a publisher. The real parts are covered by test/integration/live.test.ts,
// reconnect.test.ts, restart.test.ts and chat-cluster.test.ts (a real ffmpeg into the real RTMP port).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { loadConfig, createLogger } from '../../config/index.ts';
import { LiveVideoError, VideoState, type ProcessLock } from '../../db/index.ts';
import type { MediaFeed, PublishAttempt } from '../../ingest/index.ts';
import type { EncoderSelection } from '../../packager/index.ts';
import { LiveManager, type LiveMedia, type LiveStateChange } from '../../core/live/live-manager.ts';
import type { DanglingSession, LiveStore, LiveToAdmit } from '../../core/live/live-store.ts';
import type { StreamKeyVault } from '../../core/live/stream-keys.ts';

interface StoredSession { id: number; liveId: number; ownerLock: string; ended: boolean; error: number | null }

/** Postgres as the manager sees it: lives by key, sessions, video states. */
class MemoryLiveStore implements LiveStore {
  readonly lives = new Map<string, LiveToAdmit>();
  readonly sessions: StoredSession[] = [];
  readonly states = new Map<number, number>();
  /** Open sessions owned by other processes, per live. */
  readonly foreignOwners = new Map<number, string[]>();
  dangling: DanglingSession[] = [];

  addLive(options: { permanent?: boolean; saveReplay?: boolean; state?: number } = {}): { streamKey: string; live: LiveToAdmit } {
    const streamKey = randomUUID();
    const videoId = this.lives.size + 1;
    const live: LiveToAdmit = {
      liveId: videoId * 10, videoId, videoUuid: randomUUID(), videoState: options.state ?? VideoState.WAITING_FOR_LIVE,
      permanent: options.permanent ?? false, saveReplay: options.saveReplay ?? false, latencyMode: 1,
    };
    this.lives.set(`hash:${streamKey}`, live);
    this.states.set(videoId, live.videoState);
    return { streamKey, live };
  }

  async findLiveByKeyHash(hash: string) {
    const live = this.lives.get(hash);
    return live && { ...live, videoState: this.states.get(live.videoId)! };
  }
  async openSessionOwners(liveId: number) {
    return [...this.foreignOwners.get(liveId) ?? [], ...this.sessions.filter((s) => s.liveId === liveId && !s.ended).map((s) => s.ownerLock)];
  }
  async startSession(liveId: number, _protocol: string, _saveReplay: boolean, ownerLock: string) {
    const id = this.sessions.length + 1;
    this.sessions.push({ id, liveId, ownerLock, ended: false, error: null });
    return { id, startedAt: new Date() };
  }
  async describeSession() {}
  async endSession(sessionId: number, error: number | null) {
    const session = this.sessions.find((s) => s.id === sessionId)!;
    session.ended = true;
    session.error = error;
  }
  async setVideoState(videoId: number, state: number) {
    this.states.set(videoId, state);
  }
  async closeDanglingSessions() {
    const gone = this.dangling;
    this.dangling = [];
    return gone;
  }
}

/** ffmpeg and the packager: 'ready' when every rendition has a segment, 'failed' past its restarts. */
class FakeTranscoder extends EventEmitter {
  started = false;
  stopped = false;
  feed: MediaFeed | undefined;
  detached = 0;
  constructor(feed: MediaFeed) { super(); this.feed = feed; }
  start() { this.started = true; }
  async stop() { this.stopped = true; }
  detachFeed() { this.detached++; this.feed = undefined; }
  replaceFeed(feed: MediaFeed) { this.feed = feed; }
}

const fakeFeed = (): MediaFeed => ({
  container: 'flv',
  subscribe: () => () => undefined,
  describe: async () => ({ width: 1280, height: 720, hasAudio: true }),
});

interface FakeAttempt extends PublishAttempt { disconnects: string[] }
const attemptWith = (streamKey: string): FakeAttempt => {
  const disconnects: string[] = [];
  return { protocol: 'rtmp', streamKey, remoteAddress: '127.0.0.1', feed: fakeFeed(), disconnects, disconnect: (reason) => { disconnects.push(reason); } };
};

function setup(options: { graceSeconds?: number; prepareFails?: boolean; prepareWaitsFor?: Promise<void> } = {}) {
  const store = new MemoryLiveStore();
  const config = loadConfig({ env: {}, file: undefined });
  config.live.reconnectGraceSeconds = options.graceSeconds ?? 0;
  const transcoders: FakeTranscoder[] = [];
  const endedPlaylists: string[] = [];
  const recordings: number[] = [];
  const media: LiveMedia = {
    prepare: (async (prepare: Parameters<LiveMedia['prepare']>[0]) => {
      await options.prepareWaitsFor;
      if (options.prepareFails) throw new Error('no video track');
      const transcoder = new FakeTranscoder(prepare.feed);
      transcoders.push(transcoder);
      return {
        transcoder, renditions: [{ index: 0, height: 720, videoBitrateKbps: 2800, audioBitrateKbps: 128, passthrough: false }],
        source: { width: 1280, height: 720, hasAudio: true }, sourceHeight: 720,
        output: { end: () => undefined }, sinks: [{ flush: async () => undefined }], profile: {},
      };
    }) as unknown as LiveMedia['prepare'],
    writeEndedPlaylists: async (_output, dir) => { endedPlaylists.push(dir); },
  };
  const gone = new Set<string>();
  const processLock = { key: 'this-process', isGone: async (key: string) => gone.has(key) } as unknown as ProcessLock;
  const manager = new LiveManager({
    store, media, processLock, config, ffmpegPath: 'ffmpeg', mediaRoot: '/media',
    encoder: { backend: { id: 'libx264' } } as EncoderSelection,
    streamKeys: { lookupHash: (key: string) => `hash:${key}` } as StreamKeyVault,
    log: createLogger('silent'),
    onRecordingEnded: async (sessionId) => { recordings.push(sessionId); },
  });
  const changes: LiveStateChange[] = [];
  manager.on('state-change', (change) => changes.push(change));
  /** Resolves at the next state change that matches. */
  const nextChange = (match: (change: LiveStateChange) => boolean) => new Promise<LiveStateChange>((resolve) => {
    const listener = (change: LiveStateChange) => {
      if (!match(change)) return;
      manager.off('state-change', listener);
      resolve(change);
    };
    manager.on('state-change', listener);
  });
  const ended = () => nextChange((change) => change.session === undefined);
  /** The transcoder of the n-th session, once the manager has started it. */
  const transcoderStarted = async (n = 0) => {
    for (let i = 0; i < 100 && !transcoders[n]?.started; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.ok(transcoders[n]?.started, 'the transcoder started');
    return transcoders[n];
  };
  return { store, manager, transcoders, endedPlaylists, recordings, changes, gone, ended, nextChange, transcoderStarted };
}

type Admitted = Extract<Awaited<ReturnType<LiveManager['admit']>>, { admitted: true }>;
function admitted(admission: Awaited<ReturnType<LiveManager['admit']>>): Admitted {
  assert.equal(admission.admitted, true, admission.admitted ? '' : admission.reason);
  return admission as Admitted;
}

describe('live manager: admit', () => {
  it('admits a good key and publishes the video only once every rendition is ready', async () => {
    const { store, manager, transcoderStarted, nextChange } = setup();
    const { streamKey, live } = store.addLive();
    admitted(await manager.admit(attemptWith(streamKey)));
    const transcoder = await transcoderStarted();
    assert.equal(store.states.get(live.videoId), VideoState.WAITING_FOR_LIVE, 'not published before the first segments');
    assert.equal(manager.activeSessionOfVideo(live.videoId)?.sessionId, 1);
    const published = nextChange((change) => change.state === VideoState.PUBLISHED);
    transcoder.emit('ready');
    const change = await published;
    assert.equal(change.videoId, live.videoId);
    assert.equal(change.session?.sessionId, 1);
    assert.equal(store.states.get(live.videoId), VideoState.PUBLISHED);
  });

  it('refuses a malformed key, an unknown key and an ended one-off live, with their reasons', async () => {
    const { store, manager } = setup();
    const { streamKey: endedKey, live } = store.addLive({ state: VideoState.LIVE_ENDED });
    assert.deepEqual(await manager.admit(attemptWith('not-a-uuid')), { admitted: false, reason: 'unknown stream key' });
    assert.deepEqual(await manager.admit(attemptWith(randomUUID())), { admitted: false, reason: 'unknown stream key' });
    assert.deepEqual(await manager.admit(attemptWith(endedKey)),
      { admitted: false, reason: `live ${live.videoUuid} has ended; create a new live or use a permanent one` });
    assert.equal(store.sessions.length, 0, 'no session was opened');
  });

  it('admits an ended permanent live again (a new session)', async () => {
    const { store, manager } = setup();
    const { streamKey } = store.addLive({ permanent: true, state: VideoState.LIVE_ENDED });
    admitted(await manager.admit(attemptWith(streamKey)));
    assert.equal(store.sessions.length, 1);
  });
});

describe('live manager: busy key', () => {
  it('refuses a second publisher while the first streams', async () => {
    const { store, manager } = setup();
    const { streamKey, live } = store.addLive();
    admitted(await manager.admit(attemptWith(streamKey)));
    assert.deepEqual(await manager.admit(attemptWith(streamKey)), { admitted: false, reason: `live ${live.videoUuid} already has a publisher` });
    assert.equal(store.sessions.length, 1);
  });

  it('lets exactly one of two publishers racing on one key through', async () => {
    const { store, manager } = setup();
    const { streamKey } = store.addLive();
    const results = await Promise.all([manager.admit(attemptWith(streamKey)), manager.admit(attemptWith(streamKey))]);
    assert.deepEqual(results.map((result) => result.admitted).sort(), [false, true]);
    assert.equal(store.sessions.length, 1);
  });

  it('refuses a live that another live server process streams, and admits it once that process is gone', async () => {
    const { store, manager, gone } = setup();
    const { streamKey, live } = store.addLive();
    store.foreignOwners.set(live.liveId, ['other-process']);
    assert.deepEqual(await manager.admit(attemptWith(streamKey)),
      { admitted: false, reason: `live ${live.videoUuid} already has a publisher (on another server process)` });
    gone.add('other-process');
    admitted(await manager.admit(attemptWith(streamKey)));
  });
});

describe('live manager: reconnect grace', () => {
  it('keeps the session while the publisher is away and resumes the same session when it comes back', async () => {
    const { store, manager, transcoderStarted, changes } = setup({ graceSeconds: 5 });
    const { streamKey, live } = store.addLive();
    const first = admitted(await manager.admit(attemptWith(streamKey)));
    const transcoder = await transcoderStarted();
    transcoder.emit('ready');
    first.publisherGone();
    assert.equal(transcoder.detached, 1, 'the transcoder lets go of the old feed');
    assert.equal(store.sessions[0].ended, false, 'the session stays open during the grace');
    assert.equal(store.states.get(live.videoId), VideoState.PUBLISHED, 'viewers see a stalled live, not an ended one');
    const back = attemptWith(streamKey);
    admitted(await manager.admit(back));
    assert.equal(transcoder.feed, back.feed, 'the transcoder reads the new publisher');
    assert.equal(store.sessions.length, 1, 'no new session');
    assert.equal(manager.activeSessionOfVideo(live.videoId)?.sessionId, 1);
    assert.ok(!changes.some((change) => change.session === undefined), 'viewers never saw the live end');
    await manager.stopAll();
  });

  it('ends the live when the publisher does not come back within the grace', async () => {
    const { store, manager, transcoderStarted, ended } = setup({ graceSeconds: 0.05 });
    const { streamKey, live } = store.addLive();
    const admission = admitted(await manager.admit(attemptWith(streamKey)));
    (await transcoderStarted()).emit('ready');
    const end = ended();
    const goneAt = Date.now();
    admission.publisherGone();
    const change = await end;
    assert.ok(Date.now() - goneAt >= 40, 'ended after the grace, not at once');
    assert.equal(change.state, VideoState.LIVE_ENDED);
    assert.equal(store.states.get(live.videoId), VideoState.LIVE_ENDED);
    assert.deepEqual(store.sessions[0], { ...store.sessions[0], ended: true, error: null });
    assert.equal(manager.activeSessionOfVideo(live.videoId), undefined);
  });

  it('a publisher that leaves again after resuming gets the grace again, then the same session ends', async () => {
    const { store, manager, transcoderStarted, ended } = setup({ graceSeconds: 0.05 });
    const { streamKey, live } = store.addLive();
    const first = admitted(await manager.admit(attemptWith(streamKey)));
    (await transcoderStarted()).emit('ready');
    first.publisherGone();
    const back = admitted(await manager.admit(attemptWith(streamKey)));
    const end = ended();
    const goneAt = Date.now();
    back.publisherGone();
    assert.equal(store.sessions[0].ended, false, 'the second absence gets a grace too');
    await end;
    assert.ok(Date.now() - goneAt >= 40, 'ended after the grace, not at once');
    assert.equal(store.sessions.length, 1, 'one session from start to end');
    assert.equal(store.sessions[0].ended, true);
    assert.equal(store.states.get(live.videoId), VideoState.LIVE_ENDED);
  });

  it('no grace for a publisher gone before its transcoder started: the attempt ends at once, back to waiting', async () => {
    let prepareMayFinish!: () => void;
    const prepared = new Promise<void>((resolve) => { prepareMayFinish = resolve; });
    const { store, manager, transcoders, ended } = setup({ graceSeconds: 30, prepareWaitsFor: prepared });
    const { streamKey, live } = store.addLive();
    const admission = admitted(await manager.admit(attemptWith(streamKey)));
    const end = ended();
    admission.publisherGone();
    assert.equal((await end).state, VideoState.WAITING_FOR_LIVE);
    assert.equal(store.sessions[0].ended, true);
    prepareMayFinish();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(transcoders[0]?.started ?? false, false, 'a transcoder prepared after the end is never started');
    assert.equal(manager.activeSessionOfVideo(live.videoId), undefined);
  });
});

describe('live manager: end', () => {
  it('with a grace of 0, ends at once: a one-off live that played is ended, its playlists closed', async () => {
    const { store, manager, transcoderStarted, ended, endedPlaylists } = setup({ graceSeconds: 0 });
    const { streamKey, live } = store.addLive();
    const admission = admitted(await manager.admit(attemptWith(streamKey)));
    const transcoder = await transcoderStarted();
    transcoder.emit('ready');
    const end = ended();
    admission.publisherGone();
    await end;
    assert.equal(transcoder.stopped, true);
    assert.deepEqual(endedPlaylists, [`/media/hls/${live.videoUuid}/1`]);
    assert.equal(store.states.get(live.videoId), VideoState.LIVE_ENDED);
  });

  it('puts a permanent live back to waiting for the next session', async () => {
    const { store, manager, transcoderStarted, ended } = setup();
    const { streamKey, live } = store.addLive({ permanent: true });
    const admission = admitted(await manager.admit(attemptWith(streamKey)));
    (await transcoderStarted()).emit('ready');
    const end = ended();
    admission.publisherGone();
    assert.equal((await end).state, VideoState.WAITING_FOR_LIVE);
    assert.equal(store.states.get(live.videoId), VideoState.WAITING_FOR_LIVE);
  });

  it('puts a one-off live that never became watchable back to waiting (a cancelled attempt)', async () => {
    const { store, manager, transcoderStarted, ended } = setup();
    const { streamKey, live } = store.addLive();
    const admission = admitted(await manager.admit(attemptWith(streamKey)));
    await transcoderStarted();
    const end = ended();
    admission.publisherGone();
    assert.equal((await end).state, VideoState.WAITING_FOR_LIVE);
    assert.equal(store.states.get(live.videoId), VideoState.WAITING_FOR_LIVE);
  });

  it('hands the recording to the replay only when the replay is kept and something was watchable', async () => {
    const cases = [
      { saveReplay: true, ready: true, replay: true },
      { saveReplay: true, ready: false, replay: false },
      { saveReplay: false, ready: true, replay: false },
    ];
    for (const { saveReplay, ready, replay } of cases) {
      const { store, manager, transcoderStarted, ended, recordings } = setup();
      const { streamKey } = store.addLive({ saveReplay });
      const admission = admitted(await manager.admit(attemptWith(streamKey)));
      const transcoder = await transcoderStarted();
      if (ready) transcoder.emit('ready');
      const end = ended();
      admission.publisherGone();
      await end;
      assert.deepEqual(recordings, replay ? [1] : [], `saveReplay ${saveReplay}, watchable ${ready}`);
    }
  });

  it('a transcoder that keeps failing ends the session with the ffmpeg error and drops the publisher', async () => {
    const { store, manager, transcoderStarted, ended } = setup({ graceSeconds: 30 });
    const { streamKey, live } = store.addLive();
    const attempt = attemptWith(streamKey);
    admitted(await manager.admit(attempt));
    const transcoder = await transcoderStarted();
    transcoder.emit('ready');
    const end = ended();
    transcoder.emit('failed');
    await end;
    assert.deepEqual(attempt.disconnects, ['the transcoder keeps failing']);
    assert.equal(store.sessions[0].error, LiveVideoError.FFMPEG_ERROR);
    assert.equal(store.states.get(live.videoId), VideoState.LIVE_ENDED);
  });

  it('a transcoder that cannot start drops the publisher and ends the session with the ffmpeg error', async () => {
    const { store, manager, ended } = setup({ prepareFails: true });
    const { streamKey, live } = store.addLive();
    const attempt = attemptWith(streamKey);
    const end = ended();
    admitted(await manager.admit(attempt));
    await end;
    assert.deepEqual(attempt.disconnects, ['transcoding could not start']);
    assert.equal(store.sessions[0].error, LiveVideoError.FFMPEG_ERROR);
    assert.equal(store.states.get(live.videoId), VideoState.WAITING_FOR_LIVE, 'nothing was ever watchable');
  });

  it('stopAll disconnects every publisher and ends every session (server shutdown)', async () => {
    const { store, manager, transcoderStarted } = setup({ graceSeconds: 30 });
    const lives = [store.addLive(), store.addLive({ permanent: true })];
    const attempts = lives.map(({ streamKey }) => attemptWith(streamKey));
    for (const attempt of attempts) admitted(await manager.admit(attempt));
    (await transcoderStarted(0)).emit('ready');
    (await transcoderStarted(1)).emit('ready');
    await manager.stopAll();
    assert.deepEqual(attempts.map((attempt) => attempt.disconnects), [['server shutting down'], ['server shutting down']]);
    assert.deepEqual(store.sessions.map((session) => session.ended), [true, true]);
    assert.deepEqual(lives.map(({ live }) => store.states.get(live.videoId)), [VideoState.LIVE_ENDED, VideoState.WAITING_FOR_LIVE]);
    assert.equal(manager.activeSessions.length, 0);
  });

  it('after a crash, closes what the dead process left open: ended or waiting, and the recording goes to the replay', async () => {
    const { store, manager, recordings } = setup();
    const oneOff = store.addLive().live;
    const permanent = store.addLive({ permanent: true }).live;
    store.dangling = [
      { sessionId: 7, videoId: oneOff.videoId, permanent: false, saveReplay: true },
      { sessionId: 8, videoId: permanent.videoId, permanent: true, saveReplay: false },
    ];
    await manager.recoverAfterRestart();
    assert.equal(store.states.get(oneOff.videoId), VideoState.LIVE_ENDED);
    assert.equal(store.states.get(permanent.videoId), VideoState.WAITING_FOR_LIVE);
    assert.deepEqual(recordings, [7]);
  });
});
