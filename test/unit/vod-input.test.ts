// Issue 9, defect 2, the probe itself: with ffprobe and with the bundled ffmpeg 4.1 fallback (no
// ffprobe: the `ffmpeg -i` banner), an HLS playlist or a concat script naming a local file is
// refused with the uploader's message, and an ordinary file is still read. Real binaries, no mocks.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildVodCommand, probeSource, REFUSED_FORMAT_MESSAGE, UnusableSourceError } from '../../packager/vod/index.ts';
import { x264 } from '../../packager/encoders/x264.ts';

function bundledFfmpeg(): string | undefined {
  try {
    const binary = join(dirname(createRequire(import.meta.url).resolve('@ffmpeg-installer/linux-x64/package.json')), 'ffmpeg');
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

describe('probing uploaded input', () => {
  let work: string;
  let victim: string;
  const hostile: Record<string, string> = {};

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'livecast-input-'));
    victim = join(work, 'victim.ts');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=2',
      '-c:v', 'libx264', '-preset', 'ultrafast', victim]);
    // Stored without an extension, as the upload service now keeps originals.
    hostile.hls = join(work, 'hls-original');
    writeFileSync(hostile.hls, `#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:2,\nfile:${victim}\n#EXT-X-ENDLIST\n`);
    hostile.concat = join(work, 'concat-original');
    writeFileSync(hostile.concat, 'ffconcat version 1.0\nfile victim.ts\nduration 2\n');
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  const binaries = [
    { name: 'ffprobe', value: { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' } },
    { name: 'the bundled ffmpeg 4.1 (no ffprobe)', value: { ffmpeg: bundledFfmpeg() ?? '', ffprobe: undefined } },
  ];
  for (const { name, value } of binaries) {
    it(`refuses playlists and scripts with ${name}`, { skip: !value.ffmpeg && 'no bundled ffmpeg installed' }, async () => {
      for (const [kind, file] of Object.entries(hostile)) {
        await assert.rejects(probeSource(value, file), (error: Error) => {
          assert.ok(error instanceof UnusableSourceError, `${kind}: ${error.message}`);
          assert.equal(error.message, REFUSED_FORMAT_MESSAGE, kind);
          return true;
        });
      }
      const info = await probeSource(value, victim);
      assert.equal(info.width, 320);
    });
  }

  it('opens the transcode input the same way, as one exact file: path', () => {
    const args = buildVodCommand({
      input: 'relative/original', outputDir: '/out', backend: x264, hasAudio: false, segmentSeconds: 4,
      caps: { ffmpegPath: 'ffmpeg', hardwareDecode: false, x264Preset: 'veryfast', vaapiDevice: '', threads: 0 },
      renditions: [{ index: 0, height: 240, videoBitrateKbps: 400, audioBitrateKbps: 64, passthrough: false }],
    });
    const input = args.indexOf('-i');
    assert.deepEqual(args.slice(input - 4, input + 2), ['-format_whitelist', args[input - 3], '-protocol_whitelist', 'file', '-i', `file:${join(process.cwd(), 'relative/original')}`]);
    assert.doesNotMatch(args[input - 3], /hls|concat|image2|tee|subfile|lavfi|data/);
  });
});
