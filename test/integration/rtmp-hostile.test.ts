// Issue 9, defect 1: hostile RTMP input must close that one connection, never the process.
// Each case does a real handshake, then sends crafted chunks and AMF commands; after each, the
// server must still answer HTTP, and at the end a real ffmpeg publisher must still go live.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestServer, type TestServer } from '../helpers/server.ts';
import { ApiClient } from '../helpers/api.ts';
import { publish, type Publisher } from '../helpers/publisher.ts';
import { waitFor } from '../helpers/wait.ts';
import { Amf0Raw, RawRtmpClient, amf0, amf0Command, chunkMessage, basicHeader, setChunkSizeMessage } from '../helpers/raw-rtmp.ts';

const INVOKE = 20;
const FLEX_MESSAGE = 17;

const connectCommand = (fields: Record<string, unknown>) =>
  chunkMessage({ chunkStreamId: 3, type: INVOKE, payload: amf0Command('connect', 1, fields as never) });
const validConnect = (port: number) => connectCommand({ app: 'live', tcUrl: `rtmp://127.0.0.1:${port}/live`, type: 'nonprivate' });
const streamCommand = (name: 'publish' | 'play', streamName: unknown) =>
  chunkMessage({ chunkStreamId: 8, type: INVOKE, streamId: 1, payload: amf0Command(name, 5, null, streamName as never, 'live') });

interface HostileCase { name: string; bytes: (port: number) => Buffer[]; mustClose: boolean }

const CASES: HostileCase[] = [
  { name: 'connect without tcUrl (only {app: "live"})', bytes: () => [connectCommand({ app: 'live' })], mustClose: true },
  { name: 'connect with a number as tcUrl', bytes: () => [connectCommand({ app: 'live', tcUrl: 42 })], mustClose: true },
  { name: 'connect with an unparsable tcUrl', bytes: () => [connectCommand({ app: 'live', tcUrl: 'not a url' })], mustClose: true },
  { name: 'connect whose command object is a string', bytes: () => [chunkMessage({ chunkStreamId: 3, type: INVOKE, payload: amf0Command('connect', 1, 'live') })], mustClose: true },
  { name: 'connect without any command object', bytes: () => [chunkMessage({ chunkStreamId: 3, type: INVOKE, payload: amf0Command('connect', 1) })], mustClose: true },
  {
    name: 'AMF3 (flex) connect without tcUrl',
    bytes: () => [chunkMessage({ chunkStreamId: 3, type: FLEX_MESSAGE, payload: Buffer.concat([Buffer.from([0]), amf0Command('connect', 1, { app: 'live' })]) })],
    mustClose: true,
  },
  { name: 'publish with a number as stream name', bytes: (port) => [validConnect(port), streamCommand('publish', 1234)], mustClose: true },
  { name: 'publish with no stream name', bytes: (port) => [validConnect(port), chunkMessage({ chunkStreamId: 8, type: INVOKE, streamId: 1, payload: amf0Command('publish', 5, null) })], mustClose: true },
  { name: 'play with an object as stream name', bytes: (port) => [validConnect(port), streamCommand('play', { a: 'b' })], mustClose: true },
  { name: 'publish before connect', bytes: () => [streamCommand('publish', 'somekey')], mustClose: true },
  { name: 'truncated AMF (a number cut short)', bytes: () => [chunkMessage({ chunkStreamId: 3, type: INVOKE, payload: Buffer.concat([amf0('connect'), Buffer.from([0x00, 0x01])]) })], mustClose: true },
  // An empty message completes when the next byte arrives: the connect that follows.
  { name: 'set chunk size with an empty body', bytes: (port) => [chunkMessage({ chunkStreamId: 2, type: 1, payload: Buffer.alloc(0) }), validConnect(port)], mustClose: true },
  { name: 'set chunk size 0', bytes: () => [setChunkSizeMessage(0)], mustClose: true },
  { name: 'set chunk size 0xffffffff then a command', bytes: (port) => [setChunkSizeMessage(0xffffffff), validConnect(port)], mustClose: true },
  { name: 'a message declaring 16 MiB', bytes: () => [chunkMessage({ chunkStreamId: 4, type: 8, payload: Buffer.alloc(64), length: 0xffffff })], mustClose: true },
  {
    name: 'a thousand chunk stream ids',
    bytes: () => Array.from({ length: 1000 }, (_, index) => Buffer.concat([basicHeader(0, 64 + index), Buffer.from([0, 0, 0, 0, 0x10, 0, 8, 0, 0, 0, 0])])),
    mustClose: true,
  },
  {
    name: 'deeply nested AMF objects',
    bytes: () => [chunkMessage({ chunkStreamId: 3, type: INVOKE, payload: Buffer.concat([amf0Command('connect', 1), new Amf0Raw(Buffer.alloc(60000, 0x0a)).bytes]) })],
    mustClose: true,
  },
];

describe('hostile RTMP input (issue 9, defect 1)', () => {
  let server: TestServer;
  let admin: ApiClient;
  const publishers: Publisher[] = [];

  const serverAnswers = async () => (await fetch(`${server.baseUrl}/api/v1/config`)).status;

  /** A new live with a real publisher, once it is published. */
  async function liveOnAir(name: string) {
    const live = await admin.createLive({ name, saveReplay: false });
    const publisher = publish(`rtmp://127.0.0.1:${server.rtmpPort}/live/${live.streamKey}`, { width: 640, height: 360, seconds: 60 });
    publishers.push(publisher);
    await waitFor('the live to be published', async () => {
      const video = (await admin.get(`/api/v1/videos/${live.id}`)).body;
      return video.state.id === 1 && video.streamingPlaylists.length > 0;
    }, { timeoutMs: 30_000 });
    return { live, publisher };
  }

  before(async () => {
    server = await createTestServer();
    await server.start();
    admin = await ApiClient.asAdmin(server.baseUrl);
  });

  after(async () => {
    await Promise.all(publishers.map((publisher) => publisher.stop()));
    await server?.destroy();
  });

  for (const hostile of CASES) {
    it(`survives ${hostile.name}`, async () => {
      const client = await RawRtmpClient.open(server.rtmpPort);
      await client.handshake();
      for (const bytes of hostile.bytes(server.rtmpPort)) client.send(bytes);
      const closed = await client.closedWithin(3000);
      client.close();
      assert.equal(await serverAnswers().catch((error: Error) => `server gone: ${error.message}\n${server.output().slice(-2000)}`), 200);
      if (hostile.mustClose) assert.ok(closed, 'the server closes the hostile connection');
    });
  }

  it('logs one line per refused connection, naming the reason', async () => {
    const before = server.output().length;
    const client = await RawRtmpClient.open(server.rtmpPort);
    await client.handshake();
    client.send(connectCommand({ app: 'live' }));
    await client.closedWithin(3000);
    await waitFor('the log line', () => server.output().slice(before).includes('tcUrl'), { timeoutMs: 3000 });
    const lines = server.output().slice(before).split('\n').filter((line) => /rtmp/i.test(line));
    assert.equal(lines.length, 1, lines.join('\n'));
  });

  it('still lets a real publisher go live afterwards', async () => {
    const { publisher } = await liveOnAir('After the storm');
    await publisher.stop(); // the next test puts its own live on air
  });

  it('refuses RTMP play, even of a live on air with its own key (viewers go through HLS or WHEP and their privacy check)', async () => {
    const liveStreamKey = (await liveOnAir('Played over RTMP')).live.streamKey;
    assert.ok(liveStreamKey, 'a live on air');
    const client = await RawRtmpClient.open(server.rtmpPort);
    await client.handshake();
    client.send(validConnect(server.rtmpPort));
    client.send(streamCommand('play', liveStreamKey));
    const closed = await client.closedWithin(3000);
    client.close();
    assert.ok(closed, 'the play connection is closed');
    assert.equal(await serverAnswers(), 200);
  });
});
